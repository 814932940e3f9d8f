/**
 * The headers GET and HEAD answer from an object's metadata (ObjectController.GET/HEAD):
 * Content-Type, metadata and allowed headers, ETag, Last-Modified, X-Timestamp and the
 * X-Backend-*-Timestamp headers the proxy uses to pick the newest replica.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { DiskFileState, Metadata } from "./backend.ts";
import { formatHttpDate } from "./http_date.ts";
import { isSysOrUserMeta, isTransientSysmeta } from "./meta_keys.ts";
import type { SwobHeaders } from "./swob_headers.ts";
import { pyTitle } from "./wsgi_text.ts";

/** The headers of a GET or HEAD of an object in `state`. */
export function objectHeaders(
  state: DiskFileState,
  allowedHeaders: ReadonlySet<string>,
): [string, string][] {
  const metadata = state.metadata;
  const out: [string, string][] = [
    ["Content-Type", metadata["Content-Type"] ?? "application/octet-stream"],
  ];
  for (const [key, value] of Object.entries(metadata)) {
    if (isSysOrUserMeta(key) || isTransientSysmeta(key) || allowedHeaders.has(key.toLowerCase())) {
      out.push([key, value]);
    }
  }
  const timestamp = new Timestamp(metadata["X-Timestamp"]);
  out.push(
    ["ETag", `"${metadata["ETag"]}"`],
    ["Last-Modified", formatHttpDate(timestamp.ceil())],
    ["Content-Length", String(Number(metadata["Content-Length"]))],
    ["X-Timestamp", timestamp.normal],
    ["X-Backend-Timestamp", timestamp.internal],
    ["X-Backend-Data-Timestamp", state.dataTimestamp.internal],
  );
  if (state.durableTimestamp) {
    out.push(["X-Backend-Durable-Timestamp", state.durableTimestamp.internal]);
  }
  if (state.fragments && Object.keys(state.fragments).length) {
    out.push(["X-Backend-Fragments", fragmentsJson(state.fragments)]);
  }
  return out;
}

/**
 * resolve_etag_is_at_header(): the first metadata value named in X-Backend-Etag-Is-At
 * (middleware that store the client's ETag elsewhere, like encryption), or undefined.
 */
export function etagIsAt(headers: SwobHeaders, metadata: Readonly<Metadata>): string | undefined {
  const names = headers.get("X-Backend-Etag-Is-At");
  if (names === undefined) return undefined;
  const byTitle = new Map<string, string>();
  for (const [key, value] of Object.entries(metadata)) byTitle.set(pyTitle(key), value);
  for (const name of names.split(",").map((n) => n.trim()).filter(Boolean)) {
    const value = byTitle.get(pyTitle(name));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** json.dumps() of {internal timestamp: [fragment indexes]}, with Python's separators. */
function fragmentsJson(fragments: Readonly<Record<string, readonly number[]>>): string {
  const items = Object.entries(fragments).map(([ts, list]) => `"${ts}": [${list.join(", ")}]`);
  return `{${items.join(", ")}}`;
}
