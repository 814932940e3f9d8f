/**
 * Options of `egg:swift#dlo` (swift/common/middleware/dlo.py, Swift 2.30): the keys
 * DynamicLargeObject.__init__ reads (with int(), no bounds), plus get_logger()'s.
 */
import { int } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#dlo`: X-Object-Manifest large objects. */
export const DLO_FILTER = {
  name: "dlo",
  doc: "Serves objects with X-Object-Manifest as the concatenation of their segments.",
  options: [
    option({
      key: "rate_limit_after_segment",
      parse: int(),
      default: "10",
      doc: "Segments fetched at full speed before rate limiting starts.",
    }),
    option({
      key: "rate_limit_segments_per_sec",
      parse: int(),
      default: "1",
      doc: "Segments fetched per second after rate_limit_after_segment; 0 means no limit.",
    }),
    option({
      key: "max_get_time",
      parse: int(),
      default: "86400",
      doc: "Seconds a large object GET may last before the body is cut short.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
