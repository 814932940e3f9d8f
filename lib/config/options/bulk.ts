/**
 * Options of `egg:swift#bulk` (swift/common/middleware/bulk.py, Swift 2.30): the keys
 * filter_factory() reads (integers with int(), no bounds; delete_concurrency is then kept
 * within 1..1000), plus get_logger()'s.
 */
import { int } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** `egg:swift#bulk`: archive extraction (?extract-archive) and bulk deletes (?bulk-delete). */
export const BULK_FILTER = {
  name: "bulk",
  doc: "Bulk operations: PUT ?extract-archive=tar|tar.gz|tar.bz2 expands an archive into " +
    "containers and objects; POST or DELETE ?bulk-delete deletes a list of them.",
  options: [
    option({
      key: "max_containers_per_extraction",
      parse: int(),
      default: "10000",
      doc: "Most containers one archive may create (published in /info).",
    }),
    option({
      key: "max_failed_extractions",
      parse: int(),
      default: "1000",
      doc: "Failed files after which an extraction stops (published in /info).",
    }),
    option({
      key: "max_deletes_per_request",
      parse: int(),
      default: "10000",
      doc: "Most names one bulk delete may list (published in /info).",
    }),
    option({
      key: "max_failed_deletes",
      parse: int(),
      default: "1000",
      doc: "Failed deletes after which a bulk delete stops (published in /info).",
    }),
    option({
      key: "yield_frequency",
      parse: int(),
      default: "10",
      doc: "Seconds between the whitespace sent to keep a long bulk request's connection alive.",
    }),
    option({
      key: "delete_concurrency",
      parse: int(),
      default: "2",
      doc: "Deletes in flight during a bulk delete (kept within 1 to 1000).",
    }),
    option({
      key: "delete_container_retry_count",
      parse: int(),
      default: "0",
      doc: "Times a container delete answered 409 is tried again, after 1.5**n seconds.",
    }),
    SWIFT_CONF_DIR_OPTION,
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
