/**
 * Options of `egg:swift#crossdomain` (swift/common/middleware/crossdomain.py, Swift 2.30): the
 * one key CrossDomainMiddleware.__init__ reads, plus get_logger()'s (the filter logs nothing,
 * but every filter section accepts them).
 */
import { text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#crossdomain`: answers GET /crossdomain.xml. */
export const CROSSDOMAIN_FILTER = {
  name: "crossdomain",
  doc: "Answers GET /crossdomain.xml with a cross-domain policy for Flash, Java and Silverlight.",
  options: [
    option({
      key: "cross_domain_policy",
      parse: text,
      default: '<allow-access-from domain="*" secure="false" />',
      doc: "The XML inside <cross-domain-policy>; continue it on indented lines and end it " +
        "with a blank line.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
