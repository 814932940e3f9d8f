/**
 * Query parameters as Swift's storage servers read them: swob's Request.params
 * (urllib.parse.parse_qsl(keep_blank_values=True, encoding="latin-1") into a dict, so the last
 * of repeated names wins and values are WSGI strings), get_param() (400 when a value is not
 * UTF-8) and constrain_req_limit() (412 above the listing limit).
 */
import { SwobError } from "../object/swob_status.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** unquote(text, encoding="latin-1"): each %XX escape becomes the character of that byte. */
function unquoteLatin1(text: string): string {
  return text.replace(
    /%([0-9a-fA-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/** swob's Request.params of a URL's query string (without "?"). */
export function queryParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const field of query.split("&")) {
    if (!field) continue;
    const at = field.indexOf("=");
    const name = at < 0 ? field : field.slice(0, at);
    const value = at < 0 ? "" : field.slice(at + 1);
    params.set(
      unquoteLatin1(name.replaceAll("+", " ")),
      unquoteLatin1(value.replaceAll("+", " ")),
    );
  }
  return params;
}

/** The query parameters of a Fetch URL. */
export function urlParams(url: URL): Map<string, string> {
  return queryParams(url.search.replace(/^\?/, ""));
}

/**
 * get_param(req, name): the value as text, undefined when absent; 400 naming the parameter
 * when its bytes are not UTF-8. An empty value stays "" (Swift skips the check for it).
 */
export function getParam(params: ReadonlyMap<string, string>, name: string): string | undefined {
  const value = params.get(name);
  if (!value) return value;
  try {
    return strictUtf8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff));
  } catch {
    throw new SwobError(400, {
      body: `"${name}" parameter not valid UTF-8`,
      contentType: "text/plain",
    });
  }
}

/**
 * Python's str.isdigit() and int() for decimal digits of any script: Unicode lays each script's
 * digits 0..9 out as consecutive code points, so a digit's value is its offset in that run.
 */
function decimalValue(text: string): number | undefined {
  if (!/^\p{Nd}+$/u.test(text)) return undefined;
  let value = 0;
  for (const char of text) {
    let code = char.codePointAt(0)!;
    let digit = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(code - 1)) && digit < 64) {
      code -= 1;
      digit += 1;
    }
    value = value * 10 + (digit % 10);
  }
  return value;
}

/** constrain_req_limit(): the `limit` parameter, `max` when absent or not digits; 412 above max. */
export function constrainReqLimit(params: ReadonlyMap<string, string>, max: number): number {
  const given = getParam(params, "limit");
  if (!given) return max;
  const limit = decimalValue(given);
  if (limit === undefined) return max;
  if (limit > max) {
    throw new SwobError(412, { body: `Maximum limit is ${max}` });
  }
  return limit;
}
