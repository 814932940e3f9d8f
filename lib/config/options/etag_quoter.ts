/**
 * Options of `egg:swift#etag_quoter` (swift/common/middleware/etag_quoter.py, Swift 2.30): the
 * one key EtagQuoterMiddleware reads, plus get_logger()'s.
 */
import { bool } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#etag_quoter`: double-quotes object ETags (RFC 7232). */
export const ETAG_QUOTER_FILTER = {
  name: "etag_quoter",
  doc: "Double-quotes the ETag of object responses, per account, container or cluster-wide.",
  options: [
    option({
      key: "enable_by_default",
      parse: bool,
      default: "false",
      doc: "Quote ETags where neither the container nor the account sets " +
        "X-(Container|Account)-Rfc-Compliant-Etags.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
