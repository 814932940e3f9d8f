/**
 * Where a response body ends (RFC 9112 6.3) and whether the connection can carry another
 * request afterwards (http.client's _check_close()).
 *
 * @module
 */
import type { Endpoint } from "./endpoint.ts";
import { BadResponse } from "./errors.ts";
import type { ResponseHead } from "./response_head.ts";

/** How the body of a response is delimited. */
export type ResponseFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** The framing of a response plus whether the connection stays usable after it. */
export interface FramingDecision {
  readonly framing: ResponseFraming;
  readonly keepAlive: boolean;
}

const NONE: ResponseFraming = Object.freeze({ kind: "none" });
const CHUNKED: ResponseFraming = Object.freeze({ kind: "chunked" });
const CLOSE: ResponseFraming = Object.freeze({ kind: "close" });

/** Decides the framing of `head`, the response to a `method` request from `endpoint`. */
export function responseFraming(
  endpoint: Endpoint,
  method: string,
  head: ResponseHead,
): FramingDecision {
  const headers = head.headers;
  const connection = headers.get("connection");
  let keepAlive = head.version === 11
    ? !hasToken(connection, "close")
    : hasToken(connection, "keep-alive");
  const status = head.status;
  // HEAD, 1xx, 204 and 304 never carry a body, whatever Content-Length says.
  if (method === "HEAD" || status < 200 || status === 204 || status === 304) {
    return { framing: NONE, keepAlive };
  }
  const transferEncoding = headers.get("transfer-encoding");
  if (transferEncoding !== null) {
    // With both, Transfer-Encoding wins, but the sender is confused: do not reuse (RFC 9112 6.3).
    if (headers.has("content-length")) keepAlive = false;
    if (lastCoding(transferEncoding) === "chunked") return { framing: CHUNKED, keepAlive };
    return { framing: CLOSE, keepAlive: false };
  }
  const contentLength = headers.get("content-length");
  if (contentLength === null) return { framing: CLOSE, keepAlive: false };
  const length = parseContentLength(contentLength);
  if (length === null) {
    throw new BadResponse(endpoint, `Content-Length "${contentLength}" is not one number`);
  }
  return { framing: length === 0 ? NONE : { kind: "length", length }, keepAlive };
}

/** A Content-Length value, allowing a list of identical values (RFC 9110 8.6); else null. */
function parseContentLength(value: string): number | null {
  let result: number | null = null;
  for (const part of value.split(",")) {
    const text = part.trim();
    if (!/^[0-9]{1,16}$/.test(text)) return null;
    const n = Number(text);
    if (result !== null && n !== result) return null;
    result = n;
  }
  return result;
}

function lastCoding(value: string): string {
  const codings = value.split(",");
  return codings[codings.length - 1].trim().toLowerCase();
}

function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  for (const part of value.split(",")) {
    if (part.trim().toLowerCase() === token) return true;
  }
  return false;
}
