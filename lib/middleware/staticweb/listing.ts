/**
 * The HTML pages of egg:swift#staticweb, byte for byte as Swift 2.30's _listing() writes them:
 * the listing table (subdirs first, then objects with their size and date), the "Web Listing
 * Disabled" page, and the pieces Python provides there: html.escape(), swift.common.utils
 * quote() and human_readable().
 *
 * Texts are Python's native strings, as in Swift: names from the JSON listing, metadata values
 * (get_container_info() decodes them) and paths passed through wsgi_to_str(); the page is
 * then UTF-8 encoded as a whole.
 */
import { encodeUtf8 } from "../../common/python_codecs.ts";

/** The container metadata staticweb acts on (stripped values; undefined when not read). */
export interface WebMeta {
  index?: string;
  error?: string;
  listings?: string;
  listingsLabel?: string;
  listingsCss?: string;
  dirType?: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Python's html.escape(s, quote=True). */
export function htmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#x27;");
}

/**
 * swift.common.utils.quote(): the UTF-8 bytes of `text` (each lone surrogate as "?", as
 * get_valid_utf8_str() makes it) percent-encoded but for letters, digits, "_.-~" and `safe`.
 */
export function swiftQuote(text: string, safe = "/"): string {
  let out = "";
  for (const byte of encodeUtf8(text.replace(LONE_SURROGATE, "?"))) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && (/[A-Za-z0-9_.\-~]/.test(char) || safe.includes(char))) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Python 3's round() to an int: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  if (x - floor !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** swift.common.utils.human_readable(): 1023, 1Ki, 72Ki, 3Mi... */
export function humanReadable(raw: unknown): string {
  // float(value): numbers and booleans as they are, text as Python parses it.
  let value = typeof raw === "number" || typeof raw === "boolean" ? Number(raw) : NaN;
  const text = typeof raw === "string" ? raw.trim() : "";
  if (typeof raw === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    value = Number(text);
  } else if (typeof raw !== "number" && typeof raw !== "boolean") {
    throw new TypeError(`could not convert ${JSON.stringify(raw)} to float`);
  }
  const suffixes = "KMGTPEZY";
  let index = -1;
  while (value >= 1024 && index + 1 < suffixes.length) {
    index++;
    value = roundHalfEven(value / 1024);
  }
  return index === -1 ? String(Math.trunc(value)) : `${roundHalfEven(value)}${suffixes[index]}i`;
}

/** A string's characters by code point, as Python indexes str. */
function dropPrefix(name: string, prefixLength: number): string {
  return prefixLength ? [...name].slice(prefixLength).join("") : name;
}

/**
 * _build_css_path(): an absolute or http(s) style sheet as written (quoted), a relative one
 * reached from the listed pseudo-directory (one "../" per "/" of the prefix).
 */
export function cssPath(css: string, prefix = ""): string {
  if (css.startsWith("/") || css.startsWith("http://") || css.startsWith("https://")) {
    return swiftQuote(css, ":/");
  }
  return "../".repeat(prefix.split("/").length - 1) + swiftQuote(css);
}

const DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" ' +
  '"http://www.w3.org/TR/html4/loose.dtd">\n';

/** The 404 page for a container whose web listings are off. */
export function disabledPage(label: string, meta: WebMeta, prefix: string): string {
  let body = `${DOCTYPE}<html>\n<head>\n<title>Listing of ${htmlEscape(label)}</title>\n`;
  body += meta.listingsCss
    ? `  <link rel="stylesheet" type="text/css" href="${cssPath(meta.listingsCss, prefix)}" />\n`
    : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n' +
      "   p {font-size: 2}\n  </style>\n";
  body += "</head>\n<body>  <h1>Web Listing Disabled</h1>" +
    "   <p>The owner of this web site has disabled web listing." +
    "   <p>If you are the owner of this web site, you can enable" +
    "   web listing by setting X-Container-Meta-Web-Listings.</p>";
  if (meta.index) {
    body += "<h1>Index File Not Found</h1> <p>The owner of this web site has set " +
      ` <b>X-Container-Meta-Web-Index: ${meta.index}</b>.  However, this file is not found.</p>`;
  }
  return body + " </body>\n</html>\n";
}

/** One entry of a JSON container listing. */
type Entry = Record<string, unknown>;

function field(item: Entry, key: string): string {
  if (!(key in item)) throw new TypeError(`KeyError: '${key}'`);
  return String(item[key]);
}

/**
 * The listing page of `listing` (the JSON array of a delimiter=/ listing) for the
 * pseudo-directory `prefix` (a WSGI string; "" for the container) under `label`.
 */
export function listingPage(
  label: string,
  meta: WebMeta,
  prefix: string,
  prefixText: string,
  listing: readonly Entry[],
): string {
  const title = htmlEscape(label);
  let body = `${DOCTYPE}<html>\n <head>\n  <title>Listing of ${title}</title>\n`;
  body += meta.listingsCss
    ? `  <link rel="stylesheet" type="text/css" href="${cssPath(meta.listingsCss, prefix)}" />\n`
    : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n' +
      "   th {text-align: left; padding: 0px 1em 0px 1em;}\n" +
      "   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}\n  </style>\n";
  body += ` </head>\n <body>\n  <h1 id="title">Listing of ${title}</h1>\n` +
    '  <table id="listing">\n   <tr id="heading">\n    <th class="colname">Name</th>\n' +
    '    <th class="colsize">Size</th>\n    <th class="coldate">Date</th>\n   </tr>\n';
  if (prefix) {
    body += '   <tr id="parent" class="item">\n' +
      '    <td class="colname"><a href="../">../</a></td>\n' +
      '    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n';
  }
  const cut = prefix ? [...prefixText].length : 0;
  for (const item of listing) {
    if (!("subdir" in item)) continue;
    const subdir = dropPrefix(String(item.subdir), cut);
    body += '   <tr class="item subdir">\n' +
      `    <td class="colname"><a href="${swiftQuote(subdir)}">${htmlEscape(subdir)}</a></td>\n` +
      '    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n';
  }
  for (const item of listing) {
    if (!("name" in item)) continue;
    const name = dropPrefix(String(item.name), cut);
    const contentType = field(item, "content_type");
    const size = humanReadable(item.bytes);
    const date = htmlEscape(field(item, "last_modified")).split(".")[0].replaceAll("T", " ");
    const types = contentType.split("/").map((t) => `type-${htmlEscape(t.toLowerCase())}`);
    body += `   <tr class="item ${types.join(" ")}">\n` +
      `    <td class="colname"><a href="${swiftQuote(name)}">${htmlEscape(name)}</a></td>\n` +
      `    <td class="colsize">${size}</td>\n    <td class="coldate">${date}</td>\n   </tr>\n`;
  }
  return body + "  </table>\n </body>\n</html>\n";
}

/** body.encode('utf8') of a page; a lone surrogate fails as it does in Swift (a 500). */
export function pageBytes(page: string): Uint8Array<ArrayBuffer> {
  return encodeUtf8(page) as Uint8Array<ArrayBuffer>;
}
