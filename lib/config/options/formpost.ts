/**
 * Options of `egg:swift#formpost` (swift/common/middleware/formpost.py, Swift 2.30): the key
 * filter_factory() reads, plus get_logger()'s.
 */
import { LOG_OPTIONS } from "./logging.ts";
import type { OptionTable } from "./option.ts";
import { ALLOWED_DIGESTS_OPTION } from "./tempurl.ts";

/** `egg:swift#formpost`: browser form uploads signed with a temp URL key. */
export const FORMPOST_FILTER = {
  name: "formpost",
  doc: "Turns a signed multipart/form-data POST to a container into object PUTs, one per " +
    "file, signed with the account or container X-*-Meta-Temp-URL-Key (or -Key-2).",
  options: [ALLOWED_DIGESTS_OPTION, ...LOG_OPTIONS],
  complete: true,
} as const satisfies OptionTable;
