/**
 * The metadata column of account_stat/container_info: Python's json.dumps of
 * {key: [value, timestamp]}. A key is only ever overwritten by a newer
 * timestamp; an empty value marks a deletion that reclaim() drops later.
 */
import { Timestamp } from "../common/timestamp.ts";
import { InvalidMetadataError } from "./errors.ts";
import { type PyJson, pythonJsonDumps, pythonJsonLoadsExact } from "../common/python_json.ts";
import { comparePython } from "./python_string.ts";

/** One metadata entry: the value and the internal timestamp it was set at. */
export type MetadataItem = [value: string, timestamp: string];

/** Metadata in the order Swift's dict keeps it (insertion order, even for "123"-like keys). */
export type Metadata = Map<string, MetadataItem>;

/** Swift's MAX_META_COUNT and MAX_META_OVERALL_SIZE defaults (swift.conf [swift-constraints]). */
export const DEFAULT_METADATA_LIMITS: Readonly<MetadataLimits> = Object.freeze({
  maxMetaCount: 90,
  maxMetaOverallSize: 4096,
});

/** Limits validateMetadata() enforces. */
export interface MetadataLimits {
  /** Most x-(account|container)-meta-* keys with a value. */
  maxMetaCount: number;
  /** Most characters in those keys (without prefix) and values together. */
  maxMetaOverallSize: number;
}

/** Parses the metadata column ('' means none). */
export function parseMetadata(raw: string | null | undefined): Metadata {
  const md: Metadata = new Map();
  if (!raw) return md;
  const parsed = pythonJsonLoadsExact(raw);
  if (!(parsed instanceof Map)) {
    throw new TypeError(
      `Cannot parse database metadata: expected a JSON object, got "${raw.slice(0, 80)}"`,
    );
  }
  for (const [key, item] of parsed) md.set(key, item as unknown as MetadataItem);
  return md;
}

/** Serializes metadata exactly as Swift's json.dumps() would. */
export function serializeMetadata(md: Metadata): string {
  return pythonJsonDumps(md as unknown as Map<string, PyJson>);
}

/** True when every key in `updates` exists in `current` and none is newer: update_metadata()'s early exit. */
export function isStaleUpdate(current: Metadata, updates: Metadata): boolean {
  for (const [key, [, timestamp]] of updates) {
    const old = current.get(key);
    if (!old) return false;
    if (comparePython(timestamp, old[1]) > 0) return false;
  }
  return true;
}

/** Applies `updates` to `md` in place: a key is set when absent or when its timestamp is newer. */
export function mergeMetadata(md: Metadata, updates: Metadata): void {
  for (const [key, item] of updates) {
    const old = md.get(key);
    if (!old || comparePython(item[1], old[1]) > 0) md.set(key, item);
  }
}

/** Keys whose value is '' and whose timestamp is older than `before`: what reclaim() deletes. */
export function reclaimableMetadataKeys(md: Metadata, before: Timestamp): string[] {
  const keys: string[] = [];
  for (const [key, [value, timestamp]] of md) {
    if (value === "" && new Timestamp(timestamp).lessThan(before)) keys.push(key);
  }
  return keys;
}

/** DatabaseBroker.validate_metadata(): throws InvalidMetadataError with Swift's 400 message. */
export function validateMetadata(
  md: Metadata,
  limits: MetadataLimits = DEFAULT_METADATA_LIMITS,
): void {
  let count = 0;
  let size = 0;
  for (const [rawKey, [value]] of md) {
    if (rawKey && !isValidUtf8Text(rawKey)) {
      throw new InvalidMetadataError("Metadata must be valid UTF-8");
    }
    if (value && !isValidUtf8Text(value)) {
      throw new InvalidMetadataError("Metadata must be valid UTF-8");
    }
    const key = rawKey.toLowerCase();
    if (value && (key.startsWith("x-account-meta-") || key.startsWith("x-container-meta-"))) {
      const prefix = key.startsWith("x-container-meta-") ? "x-container-meta-" : "x-account-meta-";
      count += 1;
      // Python's len() counts code points.
      size += Array.from(key.slice(prefix.length)).length + Array.from(value).length;
    }
  }
  if (count > limits.maxMetaCount) {
    throw new InvalidMetadataError(`Too many metadata items; max ${limits.maxMetaCount}`);
  }
  if (size > limits.maxMetaOverallSize) {
    throw new InvalidMetadataError(`Total metadata too large; max ${limits.maxMetaOverallSize}`);
  }
}

/** check_utf8() on text: no lone surrogates and no NUL. */
function isValidUtf8Text(text: string): boolean {
  if (text.includes("\u0000")) return false;
  return text.isWellFormed();
}
