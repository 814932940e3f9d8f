/**
 * What the container server answers HEAD and GET with (swift/container/server.py
 * gen_resp_headers, update_data_record and create_listing): the info headers, the metadata
 * headers, and the object listing as plain text, JSON or XML.
 */
import { strToWsgi } from "../common/db_server.ts";
import { containerToXml, type ListingRecord, listingToText } from "../common/listing_formats.ts";
import { Timestamp } from "../common/timestamp.ts";
import type { ContainerInfo, ObjectListingEntry } from "../db/container_types.ts";
import type { Metadata } from "../db/metadata.ts";
import { type PyJson, pythonJsonDumps } from "../common/python_json.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { formatHttpDate } from "../object/http_date.ts";
import { swobResponse } from "../object/swob_response.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { pyInt } from "../object/wsgi_text.ts";
import { isSysOrUserMeta } from "../common/db_server.ts";

/** Response headers in the order Swift builds them. */
export type HeaderList = [string, string][];

function ts(value: unknown): Timestamp {
  return new Timestamp((value ?? 0) as string | number);
}

/** gen_resp_headers(): backend headers always, the counts only for a live container. */
export function containerInfoHeaders(
  info: Partial<ContainerInfo>,
  isDeleted: boolean,
): HeaderList {
  const headers: HeaderList = [
    ["X-Backend-Timestamp", ts(info.created_at).internal],
    ["X-Backend-PUT-Timestamp", ts(info.put_timestamp).internal],
    ["X-Backend-DELETE-Timestamp", ts(info.delete_timestamp).internal],
    ["X-Backend-Status-Changed-At", ts(info.status_changed_at).internal],
    ["X-Backend-Storage-Policy-Index", String(info.storage_policy_index ?? 0)],
  ];
  if (!isDeleted) {
    headers.push(
      ["X-Container-Object-Count", String(info.object_count ?? 0)],
      ["X-Container-Bytes-Used", String(info.bytes_used ?? 0)],
      ["X-Timestamp", ts(info.created_at).normal],
      ["X-PUT-Timestamp", ts(info.put_timestamp).normal],
      ["X-Backend-Sharding-State", String(info.db_state ?? "unsharded")],
    );
  }
  return headers;
}

/** The metadata a HEAD or GET shows: set values of saved headers and container (sys)meta. */
export function metadataHeaders(metadata: Metadata, saveHeaders: readonly string[]): HeaderList {
  const out: HeaderList = [];
  for (const [key, [value]] of metadata) {
    if (value && (saveHeaders.includes(key.toLowerCase()) || isSysOrUserMeta("container", key))) {
      out.push([strToWsgi(key), strToWsgi(value)]);
    }
  }
  return out;
}

// utils._rfc_extension_pattern: "; key[=value]" parameters of a content type.
const TOKEN = String.raw`[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`;
const PARAM = new RegExp(
  String.raw`(?:\s*;\s*(${TOKEN})\s*(?:=\s*(${TOKEN}|"(?:[^"\\]|\\.)*"))?)`,
  "g",
);

/** extract_swift_bytes(): the content type without swift_bytes, and swift_bytes if present. */
export function extractSwiftBytes(contentType: string): [string, string | undefined] {
  const at = contentType.indexOf(";");
  if (at < 0) return [contentType, undefined];
  let type = contentType.slice(0, at);
  let swiftBytes: string | undefined;
  for (const match of contentType.slice(at).matchAll(PARAM)) {
    const key = match[1].trim();
    const value = (match[2] ?? "").trim();
    if (key === "swift_bytes") swiftBytes = value;
    else type += `;${key}=${value}`;
  }
  return [type, swiftBytes];
}

/** update_data_record(): one listing entry as Swift's listing dict. */
export function objectRecord(entry: ObjectListingEntry, logger: SwiftLogger): ListingRecord {
  const [name, created, size, rawType, etag] = entry;
  if (rawType === null) return { subdir: name };
  const [contentType, swiftBytes] = extractSwiftBytes(rawType);
  let bytes: number | string = size;
  if (swiftBytes !== undefined) {
    const parsed = pyInt(swiftBytes);
    if (parsed === undefined) logger.error(`Invalid swift_bytes: "${swiftBytes}"`);
    else bytes = parsed;
  }
  return {
    name,
    fields: [
      ["name", name],
      ["hash", String(etag)],
      ["bytes", String(bytes)],
      ["content_type", contentType],
      ["last_modified", new Timestamp(created).isoformat],
    ],
  };
}

/** json.dumps() of the listing: {bytes, hash, name, content_type, last_modified} or {subdir}. */
export function containerJson(records: readonly ListingRecord[]): string {
  const items: PyJson[] = records.map((record) => {
    if ("subdir" in record) return new Map([["subdir", record.subdir]]);
    const f = Object.fromEntries(record.fields);
    return new Map<string, PyJson>([
      ["bytes", Number(f.bytes)],
      ["hash", f.hash],
      ["name", f.name],
      ["content_type", f.content_type],
      ["last_modified", f.last_modified],
    ]);
  });
  return pythonJsonDumps(items);
}

/** create_listing(): the GET response, 204 when the body is empty. */
export function listingResponse(
  req: SwobRequest,
  listing: { type: string; container: string; records: readonly ListingRecord[] },
  headers: HeaderList,
): Response {
  const { type, container, records } = listing;
  const body = type.endsWith("/xml")
    ? containerToXml(records, container)
    : type.endsWith("/json")
    ? containerJson(records)
    : listingToText(records);
  const putTimestamp = headers.find(([name]) => name === "X-PUT-Timestamp")![1];
  return swobResponse(req, {
    status: body ? 200 : 204,
    headers: [
      ...headers,
      ["Content-Type", `${type}; charset=utf-8`],
      ["Last-Modified", formatHttpDate(new Timestamp(putTimestamp).ceil())],
    ],
    body: body || undefined,
  });
}
