/**
 * Python's text functions whose exact behaviour shows in tempurl and formpost: int() of a
 * string (big integers, Unicode digits, `_` separators), urllib's parse_qs() and urlencode(),
 * and the WSGI view of a request path and query (one char per byte).
 */
import { decodeLatin1, decodeUtf8, encodeLatin1, encodeUtf8 } from "../../common/python_codecs.ts";
import { pathInfo, rawQuery } from "../../server/request_path.ts";

/** Python's str.isspace() characters, which str.strip() and int() skip. */
const PY_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004" +
  "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/** str.strip() with no argument. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.includes(text[start])) start++;
  while (end > start && PY_SPACE.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/** The value of a Unicode decimal digit: its distance from the start of its run of ten. */
function digitValue(char: string): number {
  let cp = char.codePointAt(0)!;
  let offset = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(cp - 1))) cp--, offset++;
  return offset % 10;
}

/**
 * int(text) of a str: optional whitespace and sign, decimal digits of any script, single `_`
 * between digits. Undefined where Python raises ValueError.
 */
export function pyIntOf(text: string): bigint | undefined {
  const body = pyStrip(text);
  const match = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u.exec(body);
  if (!match) return undefined;
  let digits = "";
  for (const char of match[2]) {
    if (char !== "_") digits += /[0-9]/.test(char) ? char : String(digitValue(char));
  }
  const value = BigInt(digits);
  return match[1] === "-" ? -value : value;
}

/** The WSGI string (one char per byte) of text that may hold raw non-ASCII characters. */
function wsgiOf(text: string): string {
  // A request target keeps non-ASCII as the UTF-8 bytes the client sent; WSGI holds bytes.
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** PATH_INFO: the raw path's %XX escapes decoded to bytes, one char per byte. */
export function pathInfoOf(req: Request): string {
  return pathInfo(req);
}

/** QUERY_STRING, as a WSGI string. */
export function queryStringOf(req: Request): string {
  return wsgiOf(rawQuery(req));
}

const utf8Replace = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * urllib.parse.unquote(): runs of %XX decoded as UTF-8 (invalid bytes -> U+FFFD); other
 * characters, including non-ASCII ones, kept as they are.
 */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16));
    return utf8Replace.decode(bytes);
  });
}

/**
 * parse_qs(qs, keep_blank_values=True): fields split on "&" only, "+" as space, each value
 * unquoted; values listed per name in order (callers take the first, as tempurl does).
 */
export function parseQs(qs: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const field of qs.split("&")) {
    if (!field) continue;
    const eq = field.indexOf("=");
    const name = unquote((eq < 0 ? field : field.slice(0, eq)).replaceAll("+", " "));
    const value = eq < 0 ? "" : unquote(field.slice(eq + 1).replaceAll("+", " "));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/** quote_plus(): UTF-8 bytes outside [A-Za-z0-9_.~-] as %XX, spaces as "+". */
function quotePlus(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(char)) out += char;
    else if (char === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** urlencode(pairs): `name=value` pairs through quote_plus(), joined with "&". */
export function urlencode(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}

/** wsgi_to_str(): a WSGI string's bytes as UTF-8, undecodable bytes as surrogate escapes. */
export function wsgiToStr(wsgi: string): string {
  return decodeUtf8(encodeLatin1(wsgi), "surrogateescape");
}

/** str_to_wsgi(): text as the WSGI string of its UTF-8 bytes (surrogate escapes as bytes). */
export function strToWsgi(text: string): string {
  return decodeLatin1(encodeUtf8(text, "surrogateescape"));
}
