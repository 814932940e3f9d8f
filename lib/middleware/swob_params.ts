/**
 * swob's view of a query string, which copy, dlo, slo, bulk, symlink, versioned_writes,
 * listing_formats and proxy_logging read and rewrite as Swift does: QUERY_STRING as a WSGI
 * string (one char per byte), `req.params` decoded as latin-1 with the last of a repeated name
 * winning, and `req.params = ...` re-encoded by urlencode().
 *
 * @module
 */

/** swob.wsgi_unquote(): %XX escapes decoded to the characters of those bytes (latin-1). */
export function wsgiUnquote(text: string): string {
  return text.replace(
    /%([0-9a-fA-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/** QUERY_STRING of a URL: the raw bytes after "?" as a latin-1 string. */
export function queryStringOf(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return "";
  // Deno.serve decodes raw UTF-8 bytes of the request line into characters; undo that.
  return String.fromCharCode(...new TextEncoder().encode(url.slice(at + 1)));
}

/** swob's req.params: parse_qsl(keep_blank_values=True, encoding="latin-1") into a dict. */
export function swobParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const field of query.split("&")) {
    if (!field) continue;
    const at = field.indexOf("=");
    const name = at < 0 ? field : field.slice(0, at);
    params.set(
      wsgiUnquote(name.replaceAll("+", " ")),
      at < 0 ? "" : wsgiUnquote(field.slice(at + 1).replaceAll("+", " ")),
    );
  }
  return params;
}

/** swob's `req.params = params`: urlencode(params, encoding="latin-1"), quote_plus() of each. */
export function encodeParams(params: ReadonlyMap<string, string>): string {
  const quotePlus = (text: string) =>
    Array.from(
      text,
      (c) =>
        /[A-Za-z0-9_.~-]/.test(c)
          ? c
          : c === " "
          ? "+"
          : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    ).join("");
  return [...params].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}
