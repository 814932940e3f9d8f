/**
 * bulk.get_response_body(): the report a manifest PUT with heartbeat=on and a
 * ?multipart-manifest=delete send in their body, as text/plain, JSON or XML (the format the
 * client's Accept picks among ACCEPTABLE_FORMATS).
 */
import { bestMatch } from "../../common/listing_formats.ts";
import { pythonJsonDumps } from "../../common/python_json.ts";

/** bulk.ACCEPTABLE_FORMATS. */
export const ACCEPTABLE_FORMATS = ["text/plain", "application/json", "application/xml", "text/xml"];

/** req.accept.best_match(ACCEPTABLE_FORMATS); `invalid` where swob raises ValueError. */
export function acceptedFormat(req: Request, invalid: string | undefined): string | undefined {
  try {
    return bestMatch(req.headers.get("Accept") ?? undefined, ACCEPTABLE_FORMATS);
  } catch {
    return invalid;
  }
}

/** saxutils.escape(). */
function xmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll(">", "&gt;").replaceAll("<", "&lt;");
}

/** Python's str() of a report value. */
function pyStr(value: unknown): string {
  return String(value);
}

/** get_response_body(data_format, data_dict, error_list, root_tag). */
export function responseBody(
  format: string | undefined,
  data: ReadonlyMap<string, unknown>,
  errors: readonly (readonly [string, string])[],
  rootTag: string,
): Uint8Array {
  const encoder = new TextEncoder();
  if (format === "application/json") {
    const dict = new Map(data);
    dict.set("Errors", errors.map((e) => [...e]));
    return encoder.encode(pythonJsonDumps(dict));
  }
  const keys = [...data.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  if (format?.endsWith("/xml")) {
    const out = [`<${rootTag}>\n`];
    for (const key of keys) {
      const tag = key.replaceAll(" ", "_").toLowerCase();
      out.push(`<${tag}>${xmlEscape(pyStr(data.get(key)))}</${tag}>\n`);
    }
    out.push("<errors>\n");
    for (const [name, status] of errors) {
      out.push(
        `<object><name>${xmlEscape(name)}</name><status>${xmlEscape(status)}</status></object>\n`,
      );
    }
    out.push(`</errors>\n</${rootTag}>\n`);
    return encoder.encode(out.join(""));
  }
  const out = keys.map((key) => `${key}: ${pyStr(data.get(key))}\n`);
  out.push("Errors:\n", ...errors.map(([name, status]) => `${name}, ${status}\n`));
  return encoder.encode(out.join(""));
}
