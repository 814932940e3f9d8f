/**
 * The request as Swift's proxy_logging sees it when it writes the line: a swob Request over
 * the WSGI environ, after every later stage had its chance to change that environ.
 *
 * swiftd's stages hand each other new Fetch Requests instead; the ones that change what
 * Swift's environ would show to the stages on their left also write the environ keys to
 * `ctx.env` (listing_formats sets QUERY_STRING and HTTP_ACCEPT; the proxy sets
 * HTTP_X_BACKEND_STORAGE_POLICY_INDEX), and those take precedence here: REQUEST_METHOD,
 * PATH_INFO, QUERY_STRING, SERVER_PROTOCOL and any HTTP_* key.
 *
 * Headers are listed as HeaderEnvironProxy lists them: names title-cased from their environ
 * key ("X_Foo" and "x-foo" are one header, joined with ","), Content-Length and Content-Type
 * last. Fetch does not keep the order headers arrived in, so the others come sorted by name.
 *
 * @module
 */
import { pathInfoOf, wsgiQuote } from "../recon/request_path.ts";
import { encodeParams, swobParams } from "../swob_params.ts";

/** The environ fields proxy_logging reads. */
export interface RequestView {
  readonly method: string;
  /** PATH_INFO: the decoded path as a latin-1 string. */
  readonly pathInfo: string;
  /** QUERY_STRING, raw, as a latin-1 string. */
  queryString: string;
  /** SERVER_PROTOCOL. */
  readonly protocol: string;
  /** [Title-Cased-Name, value] in HeaderEnvironProxy order. */
  readonly headers: [string, string][];
  /** HTTP_HOST, else SERVER_NAME. */
  readonly host: string;
  /** REMOTE_ADDR. */
  readonly remoteAddr: string;
}

/** Deno.serve only speaks HTTP/1.1 to Swift clients unless the server says otherwise. */
const DEFAULT_PROTOCOL = "HTTP/1.1";

/** The header name of an environ key's tail, as bytes.title() spells it. */
export function titleCase(name: string): string {
  return name.toLowerCase().replace(
    /(^|[^a-z])([a-z])/g,
    (_, before, c) => before + c.toUpperCase(),
  );
}

/** The view of `req` and the environ keys later stages set in `env`. */
export function requestView(
  req: Request,
  env: Readonly<Record<string, unknown>>,
  remoteAddr: string,
): RequestView {
  const byName = new Map<string, string>();
  for (const [key, value] of req.headers) {
    const name = titleCase(key.replaceAll("_", "-"));
    const seen = byName.get(name);
    // eventlet joins repeated headers with ",".
    byName.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith("HTTP_") && typeof value === "string") {
      byName.set(titleCase(key.slice(5).replaceAll("_", "-")), value);
    }
  }
  const last = ["Content-Length", "Content-Type"];
  const headers = [...byName].filter(([name]) => !last.includes(name));
  for (const name of last) if (byName.has(name)) headers.push([name, byName.get(name)!]);
  const text = (key: string, fallback: string) =>
    typeof env[key] === "string" ? env[key] as string : fallback;
  const url = req.url;
  const at = url.indexOf("?");
  return {
    method: text("REQUEST_METHOD", req.method),
    pathInfo: text("PATH_INFO", pathInfoOf(url)),
    queryString: text("QUERY_STRING", at < 0 ? "" : latin1OfUtf8(url.slice(at + 1))),
    protocol: text("SERVER_PROTOCOL", DEFAULT_PROTOCOL),
    headers,
    host: byName.get("Host") ?? hostOf(url),
    remoteAddr,
  };
}

/** Deno.serve decodes raw UTF-8 bytes of the request line into characters; undo that. */
function latin1OfUtf8(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

function hostOf(url: string): string {
  const start = url.indexOf("://") + 3;
  const end = url.slice(start).search(/[/?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

/** req.headers.get(name): case-insensitive. */
export function header(view: RequestView, name: string): string | undefined {
  const wanted = titleCase(name);
  return view.headers.find(([key]) => key === wanted)?.[1];
}

/** swob's Request.path: PATH_INFO quoted again. */
export function requestPath(view: RequestView): string {
  return wsgiQuote(view.pathInfo);
}

/** swob's Request.path_qs. */
export function requestPathQs(view: RequestView): string {
  return requestPath(view) + (view.queryString ? `?${view.queryString}` : "");
}

/**
 * obscure_req(): sensitive header values and query parameters cut to their first `prefix`
 * characters plus "..." (Python slicing: a negative prefix counts from the end). Swift writes
 * the query string back with urlencode() only when a parameter was obscured.
 */
export function obscure(
  view: RequestView,
  sensitive: { headers: ReadonlySet<string>; params: ReadonlySet<string> },
  prefix: number,
): void {
  for (const entry of view.headers) {
    if (sensitive.headers.has(entry[0].toLowerCase())) entry[1] = obscured(entry[1], prefix);
  }
  if (!sensitive.params.size) return;
  const params = swobParams(view.queryString);
  let any = false;
  for (const [key, value] of params) {
    if (!sensitive.params.has(key)) continue;
    params.set(key, obscured(value, prefix));
    any = true;
  }
  if (any) view.queryString = encodeParams(params);
}

/** obscure_sensitive(). */
function obscured(value: string, prefix: number): string {
  if (!value || value.length <= prefix) return value;
  return `${value.slice(0, prefix)}...`;
}
