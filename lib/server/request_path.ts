/**
 * The request target exactly as the client sent it. Swift names may contain `.` and `..`
 * segments (an object called `a/../b` is legal and distinct from `b`), but WHATWG URL parsing,
 * which `new URL()` and `new Request()` apply, removes them. Deno.serve keeps the raw target in
 * `req.url`, so the path is cut out of that string; a subrequest built with requestFor() keeps
 * its raw target beside the (normalized) Request.
 */

const RAW_TARGETS = new WeakMap<Request, string>();

/** The raw target (`/path?query`) of a request, dot segments and percent-encoding intact. */
export function rawTarget(req: Request): string {
  const kept = RAW_TARGETS.get(req);
  if (kept !== undefined) return kept;
  const url = req.url;
  const scheme = url.indexOf("//");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 2);
  if (start < 0) return "/";
  const hash = url.indexOf("#", start);
  return hash < 0 ? url.slice(start) : url.slice(start, hash);
}

/** The raw path (Swift's quoted PATH_INFO), without the query string. */
export function rawPath(req: Request): string {
  const target = rawTarget(req);
  const query = target.indexOf("?");
  return query < 0 ? target : target.slice(0, query);
}

/** The raw query string without its `?` (Swift's QUERY_STRING), or "" when there is none. */
export function rawQuery(req: Request): string {
  const target = rawTarget(req);
  const query = target.indexOf("?");
  return query < 0 ? "" : target.slice(query + 1);
}

/**
 * A Request for `target` (an already-quoted `/path?query`) on the host of `base`, which remembers
 * its raw target for rawPath()/rawQuery() even where `new Request()` normalized the URL.
 */
export function requestFor(
  target: string,
  base: Request | string,
  init: RequestInit = {},
): Request {
  const origin = new URL(typeof base === "string" ? base : base.url).origin;
  const req = new Request(`${origin}${target}`, init);
  RAW_TARGETS.set(req, target);
  return req;
}

/** The WSGI string (one char per byte) of text that may hold raw non-ASCII characters. */
function wsgiOf(text: string): string {
  // A request target keeps non-ASCII as the UTF-8 bytes the client sent; WSGI holds bytes.
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/**
 * PATH_INFO as eventlet hands it to Swift: the raw path with %XX escapes decoded to bytes, one
 * char per byte (a latin-1 "WSGI string"). `source` is a request or its `url`.
 */
export function pathInfo(source: Request | string): string {
  const path = rawPath(typeof source === "string" ? { url: source } as Request : source);
  return wsgiOf(path).replace(
    /%([0-9a-fA-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}
