/**
 * Options of `egg:swift#staticweb` (swift/common/middleware/staticweb.py, Swift 2.30): the one
 * key StaticWeb.__init__ reads, plus get_logger()'s.
 */
import { text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#staticweb`: containers served as static web sites. */
export const STATICWEB_FILTER = {
  name: "staticweb",
  doc: "Serves publicly readable containers as web sites to anonymous (or X-Web-Mode) " +
    "requests: index files, HTML listings, custom error pages, redirects to a trailing slash.",
  options: [
    option({
      key: "url_base",
      parse: text,
      default: "",
      doc: "Scheme and host (https://example.com, //example.com or https://) of the " +
        "redirects' Location; empty uses the request's. Any path is ignored.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
