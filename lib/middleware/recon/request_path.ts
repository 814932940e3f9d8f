/**
 * The request path as Swift's recon sees it: eventlet's PATH_INFO (the percent-decoded bytes,
 * held as a latin-1 string) and swob's Request.path (PATH_INFO quoted again).
 *
 * The path is cut out of `req.url` as text rather than through `new URL()`, which would
 * resolve "/recon/../x" to "/x": Swift answers the unresolved path (404 "Invalid path:
 * /recon/../x"), and Deno.serve hands it over unresolved.
 *
 * @module
 */
import { pathInfo } from "../../server/request_path.ts";

/** PATH_INFO of `url` (a request's url), dot segments kept. */
export function pathInfoOf(url: string): string {
  return pathInfo(url);
}

/** wsgi_quote(): urllib's quote() of a latin-1 string's bytes, "/" kept. */
export function wsgiQuote(pathInfo: string): string {
  let out = "";
  for (const c of pathInfo) {
    out += /[A-Za-z0-9_.~\/-]/.test(c)
      ? c
      : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** os.path.join(a, b) for a relative `b`: no separator added after an empty or "/"-ended `a`. */
export function joinPath(a: string, b: string): string {
  if (b.startsWith("/")) return b;
  return a === "" || a.endsWith("/") ? a + b : `${a}/${b}`;
}

/** urllib.parse.quote_plus(name) === name: check_drive()'s test of a device name. */
export function isQuotePlusSafe(name: string): boolean {
  return /^[A-Za-z0-9_.~-]*$/.test(name);
}
