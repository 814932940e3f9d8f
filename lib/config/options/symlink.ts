/**
 * Options of `egg:swift#symlink` (swift/common/middleware/symlink.py, Swift 2.30):
 * filter_factory() reads symloop_max with int() (a value below 1 means the default, 2), plus
 * get_logger()'s keys.
 */
import { int } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#symlink`: static and dynamic symlinks. */
export const SYMLINK_FILTER = {
  name: "symlink",
  doc: "Symlinks: objects PUT with X-Symlink-Target that GET and HEAD follow to their target.",
  options: [
    option({
      key: "symloop_max",
      parse: int(),
      default: "2",
      doc: "Most symlinks one GET or HEAD follows before answering 409 (below 1: 2; in /info).",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
