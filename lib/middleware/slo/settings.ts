/**
 * What the slo filter is configured with, and the manifest facts its parts share: the sysmeta
 * names of the SLO's ETag and size, a segment's length, and resolve_etag_is_at_header().
 */
import type { Clock } from "../segments/rate_limit.ts";

/** X-Object-Sysmeta-Slo-Etag: the large object's ETag, saved at PUT. */
export const SYSMETA_SLO_ETAG = "x-object-sysmeta-slo-etag";
/** X-Object-Sysmeta-Slo-Size: the large object's length, saved at PUT. */
export const SYSMETA_SLO_SIZE = "x-object-sysmeta-slo-size";

/** The slo filter's settings (StaticLargeObject's attributes). */
export interface SloSettings {
  readonly maxManifestSegments: number;
  readonly maxManifestSize: number;
  readonly yieldFrequency: number;
  readonly allowAsyncDelete: boolean;
  readonly maxGetTime: number;
  readonly rateLimitUnderSize: number;
  readonly rateLimitAfterSegment: number;
  readonly rateLimitSegmentsPerSec: number;
  /** Segment HEADs in flight during a manifest PUT. */
  readonly concurrency: number;
  /** Segment DELETEs in flight during ?multipart-manifest=delete. */
  readonly deleteConcurrency: number;
  readonly clock?: Clock;
  /** mimetypes.guess_type() for a manifest PUT without Content-Type. */
  readonly guessType?: (path: string) => string | undefined;
}

/** _segment_length(): the bytes a plain GET takes from one manifest entry. */
export function segmentLength(seg: Readonly<Record<string, unknown>>): number {
  const raw = seg.raw_data;
  if (raw instanceof Uint8Array) return raw.length;
  const range = seg.range;
  if (range !== undefined && range !== null) {
    const [start, end] = String(range).split("-").map(Number);
    return end - start + 1;
  }
  return Number(seg.bytes);
}

/** resolve_etag_is_at_header(): the first X-Backend-Etag-Is-At name the headers have. */
export function resolveEtagIsAt(reqHeaders: Headers, headers: Headers): string | undefined {
  const names = (reqHeaders.get("X-Backend-Etag-Is-At") ?? "").split(",");
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    const value = headers.get(name);
    if (value !== null) return value;
  }
  return undefined;
}

/** override_bytes_from_content_type(): `swift_bytes=N` in content_type becomes bytes. */
export function overrideBytesFromContentType(seg: Record<string, unknown>): void {
  const type = String(seg.content_type ?? "");
  const [base, ...params] = type.split(";");
  let swiftBytes: string | undefined;
  let kept = base;
  for (const param of params) {
    const at = param.indexOf("=");
    const key = (at < 0 ? param : param.slice(0, at)).trim();
    const value = at < 0 ? "" : param.slice(at + 1).trim();
    if (!key) continue;
    if (key === "swift_bytes") swiftBytes = value;
    else kept += `;${key}=${value}`;
  }
  seg.content_type = kept;
  if (swiftBytes !== undefined && /^\s*[+-]?\d+\s*$/.test(swiftBytes)) {
    seg.bytes = Number(swiftBytes);
  }
}
