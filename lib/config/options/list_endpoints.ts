/**
 * Options of `egg:swift#list_endpoints` (swift/common/middleware/list_endpoints.py, Swift
 * 2.30): the keys ListEndpointsMiddleware.__init__ reads, plus get_logger()'s.
 *
 * swift_dir also locates swift.conf (storage policies and the hash path prefix and suffix),
 * as everywhere in swiftd; Swift reads those from /etc/swift/swift.conf whatever swift_dir is.
 */
import { text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#list_endpoints`: answers where accounts, containers and objects live. */
export const LIST_ENDPOINTS_FILTER = {
  name: "list_endpoints",
  doc: "Answers GET <list_endpoints_path>[v1|v2/]<account>[/<container>[/<object>]] with the " +
    "storage node URLs the rings give (unauthenticated: for services inside the cluster).",
  options: [
    option({
      key: "swift_dir",
      parse: text,
      default: "/etc/swift",
      doc: "Directory of swift.conf and the account, container and object rings.",
    }),
    option({
      key: "list_endpoints_path",
      parse: text,
      default: "/endpoints/",
      doc: "Path prefix the filter answers under (a missing trailing slash is added).",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
