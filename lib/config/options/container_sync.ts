/**
 * Options of `egg:swift#container_sync` (swift/common/middleware/container_sync.py, Swift
 * 2.30): the keys ContainerSync.__init__ reads, plus get_logger()'s.
 */
import { bool, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#container_sync`: checks sync settings and authenticates sync requests. */
export const CONTAINER_SYNC_FILTER = {
  name: "container_sync",
  doc: "Lets requests signed with a realm's key and the container's X-Container-Sync-Key " +
    "through without other auth, checks X-Container-Sync-To on container PUT/POST, and " +
    "publishes the realms of container-sync-realms.conf in /info.",
  options: [
    option({
      key: "swift_dir",
      parse: text,
      default: "/etc/swift",
      doc: "Directory of container-sync-realms.conf.",
    }),
    option({
      key: "allow_full_urls",
      parse: bool,
      default: "true",
      doc: "Accept http(s):// URLs in X-Container-Sync-To; false allows only " +
        "//realm/cluster/account/container.",
    }),
    option({
      key: "current",
      parse: text,
      default: "",
      doc: "This cluster as //REALM/CLUSTER, marked `current` in /info.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
