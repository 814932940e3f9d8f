/**
 * Options of `egg:swift#listing_formats` (swift/common/middleware/listing_formats.py, Swift
 * 2.30): ListingFilter reads none of its own, only get_logger()'s.
 */
import { LOG_OPTIONS } from "./logging.ts";
import type { OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** `egg:swift#listing_formats`: account and container listings as text, JSON or XML. */
export const LISTING_FORMATS_FILTER = {
  name: "listing_formats",
  doc: "Asks backends for JSON listings and answers in the format=/Accept format the client " +
    "chose (text/plain, application/json or application/xml).",
  options: [SWIFT_CONF_DIR_OPTION, ...LOG_OPTIONS],
  complete: true,
} as const satisfies OptionTable;
