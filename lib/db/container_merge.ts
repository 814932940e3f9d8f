/**
 * How a container row absorbs an update (update_new_item_from_existing of
 * swift/container/backend.py): data (size, etag, deleted, swift_bytes),
 * content-type and metadata each carry their own timestamp, all three encoded
 * into the created_at column, and each part keeps whichever side is newer.
 */
import { decodeTimestamps, encodeTimestamps, Timestamp } from "../common/timestamp.ts";

/** An object row on its way into the object table (Swift's item dict). */
export interface ObjectMergeItem {
  /** Object name. */
  name: string;
  /** Encoded data/content-type/meta timestamps (or a plain timestamp on input). */
  created_at: string;
  /** Object size; a pending file may hold it as text. */
  size: number | string;
  /** Content type, possibly with ";swift_bytes=N". */
  content_type: string;
  /** Object etag. */
  etag: string;
  /** 1 for a tombstone. */
  deleted: number | string | boolean;
  /** Policy the object lives in. */
  storage_policy_index: number | string;
  /** Time of the last content-type change, when newer than the data. */
  ctype_timestamp?: string | null;
  /** Time of the last metadata change, when newer than the content type. */
  meta_timestamp?: string | null;
  /** The original created_at, kept in case the item is merged twice. */
  data_timestamp?: string;
  /** ROWID at the sender, present on replicated rows. */
  ROWID?: number;
  /** Scratch field used while merging. */
  swift_bytes?: string | null;
}

/** The columns of an existing object row that a merge compares against. */
export interface ExistingObjectRow {
  /** Object name. */
  name: string;
  /** Encoded timestamps. */
  created_at: string;
  /** Object size. */
  size: number | string;
  /** Content type. */
  content_type: string;
  /** Object etag. */
  etag: string;
  /** 1 for a tombstone. */
  deleted: number | string | boolean;
  /** Policy index. */
  storage_policy_index: number | string;
  /** Scratch field used while merging. */
  swift_bytes?: string | null;
}

/**
 * Updates `item` in place with whatever parts of `existing` are at least as
 * new, encoding the winning timestamps into item.created_at. Returns true
 * when any part of `item` is newer, i.e. when the row must be rewritten.
 */
export function updateNewItemFromExisting(
  item: ObjectMergeItem,
  existing: ExistingObjectRow | ObjectMergeItem | null,
): boolean {
  if (!("data_timestamp" in item)) item.data_timestamp = item.created_at;
  let [tsData, tsCtype, tsMeta] = decodeTimestamps(item.data_timestamp as string);
  if (item.ctype_timestamp) {
    tsCtype = new Timestamp(item.ctype_timestamp);
    tsMeta = tsCtype;
  }
  if (item.meta_timestamp) tsMeta = new Timestamp(item.meta_timestamp);
  if (!existing) {
    item.created_at = encodeTimestamps(tsData, tsCtype, tsMeta);
    return true;
  }
  const [recData, recCtype, recMeta] = decodeTimestamps(existing.created_at);
  // swift_bytes follows the data timestamp while the rest of the content type
  // follows the content-type timestamp, though both share one column.
  for (const side of [item, existing]) {
    const [contentType, swiftBytes] = extractSwiftBytes(side.content_type);
    side.content_type = contentType;
    side.swift_bytes = swiftBytes;
  }
  const newer = [true, true, true];
  if (recData.greaterOrEqual(tsData)) {
    item.size = existing.size;
    item.etag = existing.etag;
    item.deleted = existing.deleted;
    item.swift_bytes = existing.swift_bytes;
    tsData = recData;
    newer[0] = false;
  }
  if (recCtype.greaterOrEqual(tsCtype)) {
    item.content_type = existing.content_type;
    tsCtype = recCtype;
    newer[1] = false;
  }
  if (recMeta.greaterOrEqual(tsMeta)) {
    tsMeta = recMeta;
    newer[2] = false;
  }
  item.created_at = encodeTimestamps(tsData, tsCtype, tsMeta);
  for (const side of [item, existing]) {
    if (side.swift_bytes) side.content_type += `;swift_bytes=${side.swift_bytes}`;
    delete side.swift_bytes;
  }
  return newer.some(Boolean);
}

const RFC_TOKEN = String.raw`[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`;
const RFC_EXTENSION = new RegExp(
  String.raw`(?:\s*;\s*(${RFC_TOKEN})\s*(?:=\s*(${RFC_TOKEN}|"(?:[^"\\]|\\.)*"))?)`,
  "g",
);

/** parse_content_type(): the type before ';' and its (key, value) parameters. */
export function parseContentType(contentType: string): [string, [string, string][]] {
  const params: [string, string][] = [];
  const semicolon = contentType.indexOf(";");
  if (semicolon < 0) return [contentType, params];
  const rest = contentType.slice(semicolon);
  for (const match of rest.matchAll(RFC_EXTENSION)) {
    params.push([match[1].trim(), (match[2] ?? "").trim()]);
  }
  return [contentType.slice(0, semicolon), params];
}

/** extract_swift_bytes(): the content type without swift_bytes (re-joined as ";k=v"), and swift_bytes or null. */
export function extractSwiftBytes(contentType: string): [string, string | null] {
  const [base, params] = parseContentType(contentType);
  let out = base;
  let swiftBytes: string | null = null;
  for (const [key, value] of params) {
    if (key === "swift_bytes") swiftBytes = value;
    else out += `;${key}=${value}`;
  }
  return [out, swiftBytes];
}
