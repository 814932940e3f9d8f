/**
 * Options of `egg:swift#slo` (swift/common/middleware/slo.py, Swift 2.30): the keys
 * filter_factory() and StaticLargeObject.__init__ read (integers with int(), no bounds),
 * plus get_logger()'s.
 */
import { bool, int, type Parser, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** An int(), or undefined when empty (the key then defaults to another one). */
const optionalInt: Parser<number | undefined> = (raw, warn) =>
  raw === "" ? undefined : int()(raw, warn);

/** `egg:swift#slo`: static large objects (JSON manifests of segments). */
export const SLO_FILTER = {
  name: "slo",
  doc: "Static large objects: manifest PUT with validation, GET/HEAD of the concatenated " +
    "segments, DELETE of manifest and segments.",
  options: [
    option({
      key: "max_manifest_segments",
      parse: int(),
      default: "1000",
      doc: "Most object-backed segments a new manifest may list (published in /info).",
    }),
    option({
      key: "max_manifest_size",
      parse: int(),
      default: "8388608",
      doc: "Largest manifest PUT body in bytes (published in /info).",
    }),
    option({
      key: "yield_frequency",
      parse: int(),
      default: "10",
      doc: "Seconds between the whitespace heartbeats of a manifest PUT with heartbeat=on.",
    }),
    option({
      key: "allow_async_delete",
      parse: bool,
      default: "false",
      doc: "Let ?multipart-manifest=delete&async=yes queue segment deletes for the expirer.",
    }),
    option({
      key: "max_get_time",
      parse: int(),
      default: "86400",
      doc: "Seconds a large object GET may last before the body is cut short.",
    }),
    option({
      key: "rate_limit_under_size",
      parse: int(),
      default: "1048576",
      doc: "Only segments smaller than this many bytes count for rate limiting.",
    }),
    option({
      key: "rate_limit_after_segment",
      parse: int(),
      default: "10",
      doc: "Small segments fetched at full speed before rate limiting starts.",
    }),
    option({
      key: "rate_limit_segments_per_sec",
      parse: int(),
      default: "1",
      doc: "Small segments fetched per second after rate_limit_after_segment; 0: no limit.",
    }),
    option({
      key: "concurrency",
      parse: int(),
      default: "2",
      doc: "Segment HEADs in flight while a manifest PUT is validated (0 to 1000).",
    }),
    option({
      key: "delete_concurrency",
      parse: optionalInt,
      default: "",
      doc: "Segment DELETEs in flight for ?multipart-manifest=delete; empty: concurrency.",
    }),
    option({
      key: "auto_create_account_prefix",
      parse: text,
      default: "",
      doc: "Deprecated here (set it in swift.conf); prefix of the expiring objects account.",
    }),
    option({
      key: "expiring_objects_account_name",
      parse: text,
      default: "",
      doc: "Account of the expirer queue for async deletes; empty: expiring_objects.",
    }),
    option({
      key: "expiring_objects_container_divisor",
      parse: int(),
      default: "86400",
      doc: "Seconds each expirer queue container covers, for async deletes.",
    }),
    SWIFT_CONF_DIR_OPTION,
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
