/**
 * The bits of swob tempauth's answers show: WSGI paths (PATH_INFO as a string of one char per
 * byte), split_path(), quote(), host_url, and error responses with swob's default bodies and
 * headers exactly as swob emits them.
 *
 * lib/object has its own copies of some of these; middleware sits below the storage servers
 * in the dependency order (STYLE.md), so it cannot
 * import them from there.
 */
import { decodeUtf8, encodeLatin1, encodeUtf8 } from "../../common/python_codecs.ts";
import { RESPONSE_REASONS } from "../../common/response_reasons.ts";
import { pathInfo } from "../../server/request_path.ts";

const encoder = new TextEncoder();

/** PATH_INFO of a request (eventlet's: raw path, %XX decoded, one char per byte). */
export function pathInfoOf(req: Request): string {
  return pathInfo(req);
}

/** wsgi_to_str(): the text of a WSGI string's bytes (invalid UTF-8 as surrogate escapes). */
export function wsgiToStr(wsgi: string): string {
  return decodeUtf8(encodeLatin1(wsgi), "surrogateescape");
}

/** str_to_wsgi(): a string as the WSGI string of its UTF-8 bytes. */
export function strToWsgi(text: string): string {
  return String.fromCharCode(...encodeUtf8(text, "surrogateescape"));
}

function quoteBytes(bytes: Uint8Array, safe: string): string {
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && (/[A-Za-z0-9_.\-~]/.test(char) || safe.includes(char))) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** urllib.parse.quote(text): the UTF-8 bytes of each char outside `safe` as %XX. */
export function pyQuote(text: string, safe = "/"): string {
  return quoteBytes(encodeUtf8(text, "surrogateescape"), safe);
}

/** swob's wsgi_quote(): a WSGI string's own bytes as %XX. */
export function wsgiQuote(wsgi: string, safe = "/"): string {
  return quoteBytes(encodeLatin1(wsgi), safe);
}

/**
 * swift.common.utils.split_path(): the segments of `path` (absent ones undefined); throws
 * RangeError where Swift raises ValueError.
 */
export function splitPath(
  path: string,
  minsegs: number,
  maxsegs: number,
  restWithLast = false,
): (string | undefined)[] {
  const segs: string[] = [];
  let rest = path;
  const limit = restWithLast ? maxsegs : maxsegs + 1;
  while (segs.length < limit) {
    const at = rest.indexOf("/");
    if (at < 0) break;
    segs.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  segs.push(rest);
  const count = segs.length;
  const min = minsegs + 1;
  const max = maxsegs + 1;
  const bad = restWithLast
    ? segs[0] !== "" || count < min || count > max || segs.slice(1, min).includes("")
    : segs[0] !== "" || count < min || count > max + 1 || segs.slice(1, min).includes("") ||
      (count === max + 1 && segs[max] !== "");
  if (bad) throw new RangeError(`Invalid path: ${pyQuote(path)}`);
  const out: (string | undefined)[] = segs.slice(1, max);
  while (out.length < maxsegs) out.push(undefined);
  return out;
}

/** swob's host_url: scheme and Host (default ports dropped), e.g. `http://example.com:8080`. */
export function hostUrl(req: Request): string {
  const url = new URL(req.url);
  const scheme = url.protocol.slice(0, -1);
  let host = req.headers.get("Host") ?? url.host;
  if (
    (scheme === "http" && host.endsWith(":80")) || (scheme === "https" && host.endsWith(":443"))
  ) {
    host = host.slice(0, host.lastIndexOf(":"));
  }
  return `${scheme}://${host}`;
}

/** swob's Response.www_authenticate(): the realm is the path's account, else "unknown". */
export function wwwAuthenticate(path: string): string {
  let realm = "unknown";
  try {
    const [, account] = splitPath(path, 2, 3, true);
    if (account !== "v1.0" && account !== "auth") realm = account!;
  } catch {
    // No account in the path: swob says "unknown".
  }
  return `Swift realm="${wsgiQuote(realm)}"`;
}

/** How a swob response was made: with a body, or with the status's default page. */
export interface SwobInit {
  /** The body (a string is UTF-8 encoded, as swob encodes text bodies). */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * PATH_INFO of the request the response is for; a 401 without Www-Authenticate gets one
   * naming its account.
   */
  readonly path?: string;
}

/**
 * A swob Response as it leaves the WSGI app: Content-Type text/html unless given; an explicit
 * body gets Content-Length even on HEAD, a default page only on other methods (swob renders
 * it when the response is sent, knowing the method), and HEAD answers carry no body.
 */
export function swobResponse(status: number, method: string, init: SwobInit = {}): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=UTF-8" });
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  if (status === 401 && !headers.has("Www-Authenticate")) {
    headers.set("Www-Authenticate", wwwAuthenticate(init.path ?? ""));
  }
  let body: Uint8Array<ArrayBuffer> | null = null;
  if (init.body !== undefined) {
    body = encoder.encode(init.body);
    headers.set("Content-Length", String(body.length));
  } else if (method !== "HEAD" && RESPONSE_REASONS[status]?.[1]) {
    const [title, explanation] = RESPONSE_REASONS[status];
    body = encoder.encode(`<html><h1>${title}</h1><p>${explanation}</p></html>`);
    headers.set("Content-Length", String(body.length));
  }
  return new Response(method === "HEAD" ? null : body, { status, headers });
}
