/**
 * Listing formats of Swift's account and container servers
 * (swift/common/middleware/listing_formats.py and swob's Accept): the response type chosen
 * from `format=` or the Accept header, and the XML and plain-text bodies byte for byte as
 * ElementTree and Swift write them.
 */
import { SwobError } from "../object/swob_status.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { getParam } from "./query_params.ts";

/** FORMAT2CONTENT_TYPE. */
const FORMAT_TYPES: Readonly<Record<string, string>> = {
  plain: "text/plain",
  json: "application/json",
  xml: "application/xml",
};

/** What a listing can be sent as, in Swift's order of preference. */
const LISTING_TYPES = ["text/plain", "application/json", "application/xml", "text/xml"];

// swob.Accept's RFC 2616 grammar, as Python regular expressions.
const TOKEN = String.raw`[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`;
const QUOTED = String.raw`"(?:[^"\\]|(?:\\.))*"`;
const EXTENSION = String.raw`(?:\s*;\s*(?:${TOKEN})\s*=\s*(?:${TOKEN}|${QUOTED}))`;
const ACCEPT_ITEM = new RegExp(String.raw`^\s*(${TOKEN})/(${TOKEN})(${EXTENSION}*?\s*)$`, "s");
const TOKEN_ONLY = `(?:${TOKEN})`;

/** Python's float() for a q value; undefined where Python raises ValueError. */
function pyFloat(text: string): number | undefined {
  const t = text.trim();
  if (
    !/^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/
      .test(t)
  ) {
    if (/^[+-]?(?:inf|infinity|nan)$/i.test(t)) {
      return t.toLowerCase().includes("nan") ? NaN : t.startsWith("-") ? -Infinity : Infinity;
    }
    return undefined;
  }
  return Number(t.replaceAll("_", ""));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
}

/** swob's Accept.best_match(): the first option the best-rated media range matches. */
export function bestMatch(
  accept: string | undefined,
  options: readonly string[],
): string | undefined {
  if (!accept) return options[0];
  const types: { pattern: RegExp; quality: number; exact: boolean; order: number }[] = [];
  for (const item of accept.split(",")) {
    const match = ACCEPT_ITEM.exec(item);
    if (!match) throw new RangeError("Invalid accept header");
    const [, type, subtype, parms] = match;
    let quality = 1.0;
    let seenQ = false;
    for (const parm of parms.split(";").map((p) => p.trim()).filter(Boolean)) {
      const parts = parm.split("=");
      if (parts.length !== 2) throw new RangeError("Invalid accept header");
      if (parts[0].trim() !== "q") continue;
      if (seenQ) throw new RangeError('Multiple "q" params');
      seenQ = true;
      const value = pyFloat(parts[1]);
      if (value === undefined) throw new RangeError("Invalid q value");
      quality = value;
    }
    const typePattern = type === "*" ? TOKEN_ONLY : escapeRegExp(type);
    const subPattern = subtype === "*" ? TOKEN_ONLY : escapeRegExp(subtype);
    types.push({
      pattern: new RegExp(`^${typePattern}/${subPattern}$`),
      quality,
      exact: type !== "*" && subtype !== "*",
      order: types.length,
    });
  }
  // Python's stable sort(reverse=True) keeps equal keys in their original order.
  types.sort((a, b) => {
    if (a.quality !== b.quality) return b.quality - a.quality;
    if (a.exact !== b.exact) return a.exact ? -1 : 1;
    return a.order - b.order;
  });
  if (!types.length) return options[0];
  for (const { pattern } of types) {
    for (const option of options) if (pattern.test(option)) return option;
  }
  return undefined;
}

/**
 * get_listing_content_type(): `format=` (json, xml, anything else plain) overrides Accept;
 * 400 "Invalid Accept header" for a malformed one, 406 when nothing listed is acceptable.
 */
export function listingContentType(req: SwobRequest, params: ReadonlyMap<string, string>): string {
  const format = getParam(params, "format");
  let accept = req.headers.get("Accept");
  if (format) accept = FORMAT_TYPES[format.toLowerCase()] ?? FORMAT_TYPES.plain;
  let chosen: string | undefined;
  try {
    chosen = bestMatch(accept, LISTING_TYPES);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new SwobError(400, { body: "Invalid Accept header" });
  }
  if (!chosen) throw new SwobError(406);
  return chosen;
}

/** ElementTree's _escape_cdata(): element text. */
export function xmlText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** ElementTree's _escape_attrib() (Python 3.11): attribute values. */
export function xmlAttribute(text: string): string {
  return xmlText(text).replaceAll('"', "&quot;").replaceAll("\r", "&#13;")
    .replaceAll("\n", "&#10;").replaceAll("\t", "&#09;");
}

/** The declaration Swift's to_xml() puts before every XML listing. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** One listing entry as Swift's listing dicts hold it: a subdir or a named record. */
export type ListingRecord =
  | { readonly subdir: string }
  | { readonly name: string; readonly fields: readonly (readonly [string, string])[] };

/** listing_to_text(): one name (or subdir) per line. */
export function listingToText(listing: readonly ListingRecord[]): string {
  return listing.map((item) => `${"subdir" in item ? item.subdir : item.name}\n`).join("");
}

/** account_to_xml(): <account name=...> with one line per container or subdir. */
export function accountToXml(listing: readonly ListingRecord[], account: string): string {
  let out = `<account name="${xmlAttribute(account)}">\n`;
  for (const item of listing) {
    if ("subdir" in item) out += `<subdir name="${xmlAttribute(item.subdir)}" />\n`;
    else out += `<container>${xmlFields(item.fields)}</container>\n`;
  }
  return XML_DECLARATION + out + "</account>";
}

/** container_to_xml(): <container name=...> with the objects and subdirs, no whitespace. */
export function containerToXml(listing: readonly ListingRecord[], container: string): string {
  const open = `<container name="${xmlAttribute(container)}"`;
  if (!listing.length) return `${XML_DECLARATION}${open} />`;
  let out = `${open}>`;
  for (const item of listing) {
    if ("subdir" in item) {
      out += `<subdir name="${xmlAttribute(item.subdir)}"><name>${
        xmlText(item.subdir)
      }</name></subdir>`;
    } else {
      out += `<object>${xmlFields(item.fields)}</object>`;
    }
  }
  return `${XML_DECLARATION}${out}</container>`;
}

function xmlFields(fields: readonly (readonly [string, string])[]): string {
  return fields.map(([tag, value]) =>
    value === "" ? `<${tag} />` : `<${tag}>${xmlText(value)}</${tag}>`
  )
    .join("");
}
