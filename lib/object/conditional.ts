/**
 * Conditional requests as swob answers them (Response._get_conditional_response_status()):
 * If-None-Match -> 304, If-Match -> 412 (also for "*" on a 404), If-Modified-Since -> 304,
 * If-Unmodified-Since -> 412, checked in that order.
 */
import { parseHttpDate } from "./http_date.ts";
import type { SwobHeaders } from "./swob_headers.ts";

/** swob.normalize_etag(): strips one pair of surrounding double quotes. */
export function normalizeEtag(tag: string): string {
  if (tag && tag.startsWith('"') && tag.endsWith('"') && tag !== '"') return tag.slice(1, -1);
  return tag;
}

/** swob.Match: the entity tags of an If-Match or If-None-Match header. */
export class EtagMatch {
  readonly tags: ReadonlySet<string>;

  constructor(header: string) {
    const tags = new Set<string>();
    for (const raw of header.split(",")) {
      const tag = raw.trim();
      if (tag) tags.add(normalizeEtag(tag));
    }
    this.tags = tags;
  }

  /** Match.__contains__: "*" matches anything. */
  matches(etag: string): boolean {
    return this.tags.has("*") || this.tags.has(normalizeEtag(etag));
  }
}

/** The header's Match, or undefined when the header is absent. */
export function etagMatch(headers: SwobHeaders, name: string): EtagMatch | undefined {
  const value = headers.get(name);
  return value === undefined ? undefined : new EtagMatch(value);
}

/** What the response offers for the comparison. */
export interface ConditionalSubject {
  readonly status: number;
  /** conditional_etag: X-Backend-Etag-Is-At's value, or the ETag header unquoted. */
  readonly etag?: string;
  /** The Last-Modified header. */
  readonly lastModified?: string;
}

/** 304 or 412 when the request's conditions say so, otherwise undefined. */
export function conditionalStatus(
  headers: SwobHeaders,
  subject: ConditionalSubject,
): 304 | 412 | undefined {
  const ifNoneMatch = etagMatch(headers, "If-None-Match");
  const ifMatch = etagMatch(headers, "If-Match");
  if (subject.etag && ifNoneMatch && ifNoneMatch.matches(subject.etag)) return 304;
  if (subject.etag && ifMatch && !ifMatch.matches(subject.etag)) return 412;
  if (subject.status === 404 && ifMatch && ifMatch.tags.has("*")) return 412;
  const ifModifiedSince = headers.get("If-Modified-Since");
  const ifUnmodifiedSince = headers.get("If-Unmodified-Since");
  // Most requests have neither: skip parsing our own Last-Modified for nothing.
  if (ifModifiedSince === undefined && ifUnmodifiedSince === undefined) return undefined;
  const lastModified = parseHttpDate(subject.lastModified);
  if (lastModified === undefined) return undefined;
  const since = parseHttpDate(ifModifiedSince);
  if (since !== undefined && lastModified <= since) return 304;
  const unmodifiedSince = parseHttpDate(ifUnmodifiedSince);
  if (unmodifiedSince !== undefined && lastModified > unmodifiedSince) return 412;
  return undefined;
}
