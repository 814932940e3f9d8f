/**
 * Options of `egg:swift#copy` (swift/common/middleware/copy.py, Swift 2.30): the middleware
 * reads no key of its own, only get_logger()'s (log_route "copy"). Server-side copy cannot be
 * switched off; Swift 2.30 no longer reads object_post_as_copy.
 */
import { LOG_OPTIONS } from "./logging.ts";
import type { OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** `egg:swift#copy`: COPY and PUT with X-Copy-From. */
export const COPY_FILTER = {
  name: "copy",
  doc: "Server-side copy: COPY with Destination, PUT with X-Copy-From.",
  options: [SWIFT_CONF_DIR_OPTION, ...LOG_OPTIONS],
  complete: true,
} as const satisfies OptionTable;
