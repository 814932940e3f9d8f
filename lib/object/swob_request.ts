/**
 * The parts of a swob Request the object server reads: the WSGI PATH_INFO (percent-decoded
 * bytes as a latin-1 string), headers keyed as in the environ, X-Timestamp, the message
 * length, and the conditional headers.
 */
import { Timestamp } from "../common/timestamp.ts";
import { SwobHeaders } from "./swob_headers.ts";
import { pathInfo } from "../server/request_path.ts";
import { wsgiQuote } from "./wsgi_text.ts";

/** Why the request's X-Timestamp cannot be used (swift.common.exceptions.InvalidTimestamp). */
export class InvalidTimestamp extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTimestamp";
  }
}

/** PATH_INFO of a request (eventlet's: raw path, %XX decoded, one char per byte). */
export function pathInfoOf(req: Request): string {
  return pathInfo(req);
}

/** One request as the object controller sees it. */
export class SwobRequest {
  /** The Fetch request (its body is the upload). */
  readonly raw: Request;
  readonly method: string;
  /** PATH_INFO: the decoded path as a WSGI string. */
  readonly pathInfo: string;
  readonly headers: SwobHeaders;
  /** REMOTE_ADDR. */
  readonly remoteAddr: string;
  #timestamp?: Timestamp;
  #url?: URL;

  constructor(raw: Request, remoteAddr = "") {
    this.raw = raw;
    this.method = raw.method;
    // From the raw target: `new URL()` would drop "." and ".." segments of Swift names.
    this.pathInfo = pathInfo(raw);
    this.headers = new SwobHeaders(raw.headers);
    this.remoteAddr = remoteAddr;
  }

  /** The request's URL, parsed when first asked for (most requests never need it). */
  get url(): URL {
    this.#url ??= new URL(this.raw.url);
    return this.#url;
  }

  /** Request.path: the quoted path without the query string. */
  get path(): string {
    return wsgiQuote(this.pathInfo);
  }

  /** Request.as_referer(): "METHOD http://host/path?query", the Referer of sub-requests. */
  asReferer(): string {
    const host = this.headers.get("Host") ?? this.url.host;
    const scheme = this.url.protocol.replace(/:$/, "");
    const shown = (scheme === "http" && host.endsWith(":80")) ||
        (scheme === "https" && host.endsWith(":443"))
      ? host.slice(0, host.lastIndexOf(":"))
      : host;
    return `${this.method} ${scheme}://${shown}${this.path}${this.url.search}`;
  }

  /** Request.timestamp: X-Timestamp as a Timestamp; throws InvalidTimestamp. */
  get timestamp(): Timestamp {
    if (this.#timestamp) return this.#timestamp;
    const raw = this.headers.get("X-Timestamp");
    if (raw === undefined) throw new InvalidTimestamp("Missing X-Timestamp header");
    try {
      this.#timestamp = new Timestamp(raw);
    } catch {
      throw new InvalidTimestamp("Invalid X-Timestamp header");
    }
    return this.#timestamp;
  }

  /**
   * Request.message_length(): Content-Length as a number, or undefined when chunked or
   * absent. Throws RangeError for a bad Content-Length or Transfer-Encoding, TypeError
   * ("not implemented") for several transfer codings, as swob raises ValueError/AttributeError.
   */
  messageLength(): number | undefined {
    const te = this.headers.get("Transfer-Encoding");
    if (te) {
      const codings = te.split(",");
      if (codings.length > 1) {
        throw new TypeError(
          "Unsupported Transfer-Coding header value specified in Transfer-Encoding header",
        );
      }
      if (codings[0].toLowerCase() === "chunked") return undefined;
      throw new RangeError("Invalid Transfer-Encoding header value");
    }
    const length = this.headers.get("Content-Length");
    if (length === undefined) return undefined;
    const value = /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(length)
      ? Number(length.trim().replaceAll("_", ""))
      : NaN;
    if (!Number.isSafeInteger(value)) throw new RangeError("Invalid Content-Length header value");
    return value;
  }
}
