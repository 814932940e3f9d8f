/**
 * egg:swift#listing_formats (swift/common/middleware/listing_formats.py, Swift 2.30): the
 * proxy always asks backends for JSON listings; this filter picks the format the client wants
 * (`format=` or the Accept header, 406 when none fits), forces `format=json` on the way in,
 * and turns the JSON answer into text/plain, application/xml or Python's re-dumped JSON on
 * the way out, adding `Vary: Accept` when the format came from the Accept header.
 *
 * A later stage that answers listings itself (staticweb) sets `swift.format_listing` false to
 * get its response passed through untouched. Anything that is not a JSON list of objects, or
 * lacks a field the format needs, also passes through as it came, as in Swift.
 *
 * Swift's request changes live in the WSGI environ, where the stages on its left see them too
 * (proxy_logging logs `?format=json`); here the new query string also goes to
 * `ctx.env.QUERY_STRING` for them, and the Accept that `format=` implies to `ctx.env.HTTP_ACCEPT`.
 */
import { listFromCsv, pythonInt } from "../common/constraints.ts";
import { bestMatch, XML_DECLARATION, xmlAttribute, xmlText } from "../common/listing_formats.ts";
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import { encodeParams, queryStringOf, swobParams } from "./swob_params.ts";
import { pyRepr } from "../common/python_repr.ts";
import { clusterConstraints } from "../common/swift_conf.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { LISTING_FORMATS_FILTER } from "../config/options/listing_formats.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { BuildContext, Filter } from "./compose.ts";
import {
  PyFloat,
  type PyJson,
  pythonJsonDumps,
  pythonJsonLoadsExact,
} from "../common/python_json.ts";
import { pathInfoOf, wsgiQuote } from "./recon/request_path.ts";

/** What the filter needs from swift.conf. */
export interface ListingFormatsSettings {
  /** [swift-constraints] valid_api_versions: the first path segments of the API. */
  readonly validApiVersions: readonly string[];
}

/** MAX_CONTAINER_LISTING_CONTENT_LENGTH: a bigger "listing" is taken for a staticweb page. */
const MAX_LISTING_LENGTH = 1024 * 10000 * 2;

/** FORMAT2CONTENT_TYPE. */
const FORMAT_TYPES: Readonly<Record<string, string>> = {
  plain: "text/plain",
  json: "application/json",
  xml: "application/xml",
};
const LISTING_TYPES = ["text/plain", "application/json", "application/xml", "text/xml"];

/** Builds the listing_formats filter (Swift's filter_factory). */
export function listingFormatsFilter(stage: StageConfig, build: BuildContext): Filter {
  const { constraints } = clusterConstraints(optionsOf(stage, LISTING_FORMATS_FILTER).swift_dir);
  return listingFormatsFilterWith({ validApiVersions: constraints.validApiVersions }, build.logger);
}

/** Builds the listing_formats filter from explicit settings. */
export function listingFormatsFilterWith(
  settings: ListingFormatsSettings,
  logger: SwiftLogger,
): Filter {
  return (next) =>
    async function listingFormats(req, ctx) {
      const parts = splitListingPath(pathInfoOf(req.url));
      if (!parts || !settings.validApiVersions.includes(parts[0])) return await next(req, ctx);
      if (req.method !== "GET" && req.method !== "HEAD") return await next(req, ctx);
      const [, account, container] = parts;
      const query = queryStringOf(req.url);
      const params = swobParams(query);
      const negotiated = listingContentType(req, params.get("format"));
      if (negotiated instanceof Response) return negotiated;
      const canVary = !params.has("format");
      params.set("format", "json");
      const forced = encodeParams(params);
      ctx.env["QUERY_STRING"] = forced;
      const headers = new Headers(req.headers);
      if (negotiated.accept !== undefined) {
        headers.set("Accept", negotiated.accept);
        ctx.env["HTTP_ACCEPT"] = negotiated.accept;
      }
      const at = req.url.indexOf("?");
      const url = `${at < 0 ? req.url : req.url.slice(0, at)}?${forced}`;
      const inner = new Request(url, { method: req.method, headers });
      ctx.env["swift.format_listing"] ??= true;
      const response = await next(inner, ctx);
      if (!ctx.env["swift.format_listing"]) return response;
      return await reformat(response, {
        type: negotiated.type,
        canVary,
        head: req.method === "HEAD",
        allowReserved: isTrue(req.headers.get("X-Backend-Allow-Reserved-Names")),
        account,
        container,
        logger,
      });
    };
}

/** req.split_path(2, 3): [version, account, container or ""]; undefined when not a listing. */
function splitListingPath(path: string): [string, string, string] | undefined {
  const segs = path.split("/");
  if (segs.length > 4) segs.splice(4, segs.length, segs.slice(4).join("/"));
  if (segs[0] !== "" || segs.length < 3 || segs[1] === "" || segs[2] === "") return undefined;
  if (segs.length === 5 && segs[4] !== "") return undefined;
  return [segs[1], segs[2], segs[3] ?? ""];
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * get_listing_content_type(): the chosen type and, when `format=` overrode it, the Accept
 * header that goes on (Swift writes it into the environ); or swob's error response.
 */
function listingContentType(
  req: Request,
  format: string | undefined,
): { type: string; accept?: string } | Response {
  let accept: string | undefined;
  if (format) {
    let text: string;
    try {
      text = strictUtf8.decode(latin1Bytes(format));
    } catch {
      return swobError(req.method, 400, '"format" parameter not valid UTF-8', "text/plain");
    }
    accept = FORMAT_TYPES[text.toLowerCase()] ?? FORMAT_TYPES.plain;
  }
  let type: string | undefined;
  try {
    type = bestMatch(accept ?? req.headers.get("Accept") ?? undefined, LISTING_TYPES);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return swobError(req.method, 400, "Invalid Accept header");
  }
  if (!type) return swobError(req.method, 406);
  return { type, accept };
}

const REASONS: Readonly<Record<number, string>> = { 400: "Bad Request", 406: "Not Acceptable" };

/** swob's HTTPBadRequest/HTTPNotAcceptable: a HEAD keeps Content-Length only for a given body. */
function swobError(method: string, status: number, body?: string, type?: string): Response {
  const headers = new Headers({ "Content-Type": type ?? "text/html; charset=UTF-8" });
  const text = body ??
    "<html><h1>Not Acceptable</h1><p>The resource is not available in a format acceptable " +
      "to your browser.</p></html>";
  if (body !== undefined || method !== "HEAD") headers.set("Content-Length", String(text.length));
  return new Response(method === "HEAD" ? null : text, {
    status,
    statusText: REASONS[status],
    headers,
  });
}

function isTrue(value: string | null): boolean {
  return ["true", "1", "yes", "on", "t", "y"].includes((value ?? "").toLowerCase());
}

interface Reformat {
  readonly type: string;
  readonly canVary: boolean;
  readonly head: boolean;
  readonly allowReserved: boolean;
  readonly account: string;
  readonly container: string;
  readonly logger: SwiftLogger;
}

/** The backend's JSON response in the negotiated format (or as it came, when it is no listing). */
async function reformat(response: Response, how: Reformat): Promise<Response> {
  if (response.status !== 200 && response.status !== 204) return response;
  const headers = new Headers(response.headers);
  const contentType = headers.get("Content-Type")?.split(";")[0];
  const lengthText = headers.get("Content-Length");
  let length: bigint | undefined;
  if (lengthText !== null) {
    length = pythonInt(lengthText);
    // int() raising in Swift fails the request.
    if (length === undefined) throw new TypeError(`Invalid Content-Length ${pyRepr(lengthText)}`);
  }
  if (how.canVary) {
    const vary = headers.get("Vary");
    if (vary === null) headers.set("Vary", "Accept");
    else if (!listFromCsv(vary.toLowerCase()).includes("accept")) {
      headers.set("Vary", `${vary}, Accept`);
    }
  }
  const rebuilt = (body: BodyInit | null, status = response.status, statusText?: string) =>
    // Fetch refuses even an empty body on a 204.
    new Response(status === 204 ? null : body, {
      status,
      statusText: statusText ?? response.statusText,
      headers,
    });
  if (
    contentType !== "application/json" || length === undefined ||
    length > BigInt(MAX_LISTING_LENGTH)
  ) {
    return rebuilt(response.body);
  }
  const contentTypeOut = `${how.type}; charset=utf-8`;
  if (how.head) {
    headers.set("Content-Type", contentTypeOut);
    // The length of the converted body is unknown without the body.
    headers.delete("Content-Length");
    return rebuilt(response.body);
  }
  const raw = new Uint8Array(await response.arrayBuffer());
  const listing = parseListing(raw);
  if (!listing) return rebuilt(raw);
  const records = how.allowReserved ? listing : withoutReserved(listing, how);
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = render(records, how);
  } catch (err) {
    // A KeyError (a missing field) passes the body through; anything else fails the request.
    if (err instanceof MissingField) return rebuilt(raw);
    throw err;
  }
  headers.set("Content-Type", contentTypeOut);
  headers.set("Content-Length", String(body.length));
  // Swift would send a 204 from the backend with its converted body; HTTP (and Fetch) allow
  // no body on a 204, so there it is dropped.
  if (!body.length || response.status === 204) return rebuilt(null, 204, "No Content");
  return rebuilt(body);
}

/** json.loads(body) if it is a list of objects; undefined for anything else. */
function parseListing(raw: Uint8Array): Map<string, PyJson>[] | undefined {
  let value: PyJson;
  try {
    // json.loads() of bytes skips a UTF-8 BOM; a byte that is not UTF-8 is a ValueError.
    const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
    value = pythonJsonLoadsExact(strictUtf8.decode(raw.subarray(start)));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((item) => item instanceof Map)) return undefined;
  return value as Map<string, PyJson>[];
}

/** Python's `RESERVED in value` for a JSON value (TypeError where Python raises it). */
function containsReserved(value: PyJson): boolean {
  if (typeof value === "string") return value.includes("\x00");
  if (Array.isArray(value)) return value.includes("\x00");
  if (value instanceof Map) return value.has("\x00");
  throw new TypeError(`argument of type '${pyTypeName(value)}' is not iterable`);
}

/** filter_reserved(): drops entries whose name or subdir holds the reserved byte. */
function withoutReserved(listing: Map<string, PyJson>[], how: Reformat): Map<string, PyJson>[] {
  return listing.filter((entry) => {
    for (const key of ["name", "subdir"]) {
      const value = entry.has(key) ? entry.get(key)! : "";
      if (!containsReserved(value)) continue;
      how.logger.warning(
        how.container
          ? `Container listing for ${wsgiQuote(how.account)}/${wsgiQuote(how.container)} had ` +
            `reserved byte in ${key}: ${pyReprOf(value)}`
          : `Account listing for ${wsgiQuote(how.account)} had reserved byte in ${key}: ` +
            pyReprOf(value),
      );
      return false;
    }
    return true;
  });
}

/** KeyError: a record lacks a field the format needs. */
class MissingField extends Error {}

function field(record: Map<string, PyJson>, key: string): PyJson {
  if (!record.has(key)) throw new MissingField(key);
  return record.get(key)!;
}

/** The listing in the negotiated format, as bytes. */
function render(listing: Map<string, PyJson>[], how: Reformat): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  if (how.type.endsWith("/xml")) {
    const name = strictUtf8.decode(latin1Bytes(how.container || how.account));
    const xml = how.container ? containerXml(listing, name) : accountXml(listing, name);
    return encoder.encode(xml);
  }
  if (how.type === "text/plain") {
    return encoder.encode(
      listing.map((item) => {
        const name = item.has("name") ? item.get("name")! : field(item, "subdir");
        // str.encode("utf-8") needs a str and refuses lone surrogates.
        if (typeof name !== "string" || !name.isWellFormed()) {
          throw new TypeError(`Cannot encode ${pyReprOf(name)} as UTF-8 text`);
        }
        return `${name}\n`;
      }).join(""),
    );
  }
  return encoder.encode(pythonJsonDumps(listing));
}

const ACCOUNT_FIELDS = ["name", "count", "bytes", "last_modified"];
const CONTAINER_FIELDS = ["name", "hash", "bytes", "content_type", "last_modified"];

/**
 * Swift builds the whole tree (a missing field raising KeyError) before serializing it (a
 * value that is not a str raising TypeError), so the KeyError wins wherever it is.
 */
function checkFields(listing: Map<string, PyJson>[], fields: string[]): void {
  for (const record of listing) {
    if (!record.has("subdir")) { for (const key of fields) field(record, key); }
  }
}

/** account_to_xml(). */
function accountXml(listing: Map<string, PyJson>[], account: string): string {
  checkFields(listing, ACCOUNT_FIELDS);
  let out = `<account name="${attribute(account)}">\n`;
  for (const record of listing) {
    if (record.has("subdir")) out += `<subdir name="${attribute(record.get("subdir")!)}" />\n`;
    else out += `<container>${elements(record, ACCOUNT_FIELDS)}</container>\n`;
  }
  return charRefs(`${XML_DECLARATION}${out}</account>`);
}

/** container_to_xml(). */
function containerXml(listing: Map<string, PyJson>[], container: string): string {
  checkFields(listing, CONTAINER_FIELDS);
  const open = `<container name="${attribute(container)}"`;
  if (!listing.length) return charRefs(`${XML_DECLARATION}${open} />`);
  let out = `${open}>`;
  for (const record of listing) {
    if (record.has("subdir")) {
      const subdir = record.get("subdir")!;
      out += `<subdir name="${attribute(subdir)}">${element("name", cdata(subdir))}</subdir>`;
    } else {
      out += `<object>${elements(record, CONTAINER_FIELDS)}</object>`;
    }
  }
  return charRefs(`${XML_DECLARATION}${out}</container>`);
}

function elements(record: Map<string, PyJson>, fields: string[]): string {
  return fields.map((key) => element(key, xmlText(pyStr(record.get(key)!)))).join("");
}

/** ElementTree writes an element with empty text as `<tag />`. */
function element(tag: string, text: string): string {
  return text === "" ? `<${tag} />` : `<${tag}>${text}</${tag}>`;
}

/** ElementTree serializes only str attribute values and text. */
function attribute(value: PyJson): string {
  if (typeof value !== "string") throw new TypeError(`cannot serialize ${pyReprOf(value)}`);
  return xmlAttribute(value);
}

function cdata(value: PyJson): string {
  if (typeof value !== "string") throw new TypeError(`cannot serialize ${pyReprOf(value)}`);
  return xmlText(value);
}

/** tostring(encoding="UTF-8") writes lone surrogates as character references. */
function charRefs(xml: string): string {
  return xml.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
}

function pyTypeName(value: PyJson): string {
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (value instanceof PyFloat) return "float";
  return typeof value === "string" ? "str" : Array.isArray(value) ? "list" : "int";
}

/** str(value) of a JSON value, as six.text_type() writes the fields of an XML listing. */
function pyStr(value: PyJson): string {
  return typeof value === "string" ? value : pyReprOf(value);
}

/** repr(value) of a JSON value. */
function pyReprOf(value: PyJson): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return pyRepr(value);
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyReprOf).join(", ")}]`;
  return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyReprOf(v)}`).join(", ")}}`;
}
