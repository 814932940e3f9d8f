/**
 * egg:swift#gatekeeper (swift/common/middleware/gatekeeper.py, Swift 2.30): clients must
 * never send the headers the proxy uses to talk to its backends, nor see them in responses.
 * Request headers matching the exclusions (X-Backend-*, X-Account-/X-Container-/X-Object-
 * Sysmeta-*, X-Object-Transient-Sysmeta-* and the pre-X-Backend update headers) are removed;
 * so are response headers matching the same list. A client's X-Timestamp is moved to
 * X-Backend-Inbound-X-Timestamp (shunt_inbound_x_timestamp), and X-Allow-Reserved-Names
 * becomes X-Backend-Allow-Reserved-Names when allow_reserved_names_header is on. When a later
 * stage sets `swift.leave_relative_location`, Location headers are cut down to path, query
 * and fragment.
 *
 * Request header names are matched with `_` read as `-`: eventlet files "X_Backend_Foo" and
 * "X-Backend-Foo" under the same environ key (HTTP_X_BACKEND_FOO), so Swift strips both, and
 * a backend behind swiftd would read the underscore spelling as the internal header.
 */
import { isIPv6 } from "node:net";
import { pyRepr } from "../common/python_repr.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { GATEKEEPER_FILTER } from "../config/options/gatekeeper.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { BuildContext, Filter } from "./compose.ts";

/** Swift's inbound_exclusions (and outbound_exclusions, the same list) as one pattern. */
const EXCLUSIONS = new RegExp(
  "^(?:" + [
    "x-account-sysmeta-",
    "x-container-sysmeta-",
    "x-object-sysmeta-",
    "x-object-transient-sysmeta-",
    "x-backend",
    // Update headers from before X-Backend-* existed.
    "x-account-(host|device|partition)$",
    "x-container-(host|device|partition|root-db-state)$",
    "x-delete-at-(host|device|partition|container)$",
  ].join("|") + ")",
  "i",
);

/** What the gatekeeper does besides stripping headers. */
export interface GatekeeperSettings {
  readonly shuntInboundXTimestamp: boolean;
  readonly allowReservedNamesHeader: boolean;
}

/** Builds the gatekeeper filter (Swift's filter_factory). */
export function gatekeeperFilter(stage: StageConfig, build: BuildContext): Filter {
  const options = optionsOf(stage, GATEKEEPER_FILTER);
  return gatekeeperFilterWith({
    shuntInboundXTimestamp: options.shunt_inbound_x_timestamp,
    allowReservedNamesHeader: options.allow_reserved_names_header,
  }, build.logger);
}

/** Builds the gatekeeper filter from explicit settings. */
export function gatekeeperFilterWith(settings: GatekeeperSettings, logger: SwiftLogger): Filter {
  return (next) =>
    async function gatekeeper(req, ctx) {
      const headers = inboundHeaders(req.headers, settings, logger);
      const response = await next(headers ? new Request(req, { headers }) : req, ctx);
      return outboundResponse(response, Boolean(ctx.env["swift.leave_relative_location"]), logger);
    };
}

/** The environ spelling of a header name: "X_Foo" and "x-foo" are both "X-Foo" to Swift. */
function environName(name: string): string {
  return titleCase(name.replaceAll("_", "-"));
}

/** bytes.title(): each run of ASCII letters starts upper case, the rest lower case. */
function titleCase(name: string): string {
  return name.toLowerCase().replace(
    /(^|[^a-z])([a-z])/g,
    (_, before, c) => before + c.toUpperCase(),
  );
}

/** Pops every spelling of `name` (environ form) from `headers`; undefined when absent. */
function pop(headers: Headers, name: string): string | undefined {
  const values: string[] = [];
  for (const [key, value] of [...headers]) {
    if (environName(key) !== name) continue;
    values.push(value);
    headers.delete(key);
  }
  // eventlet joins repeated headers with ",".
  return values.length ? values.join(",") : undefined;
}

/** The request headers to pass on, or undefined when they need no change. */
function inboundHeaders(
  original: Headers,
  settings: GatekeeperSettings,
  logger: SwiftLogger,
): Headers | undefined {
  const headers = new Headers(original);
  const removed: [string, string][] = [];
  for (const [key, value] of [...headers]) {
    const name = environName(key);
    if (!EXCLUSIONS.test(name)) continue;
    removed.push([name, value]);
    headers.delete(key);
  }
  if (removed.length) {
    const items = removed.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
    logger.debug(`removed request headers: {${items.join(", ")}}`);
  }
  let changed = removed.length > 0;
  if (settings.shuntInboundXTimestamp) {
    const ts = pop(headers, "X-Timestamp");
    if (ts !== undefined) {
      headers.set("X-Backend-Inbound-X-Timestamp", ts);
      logger.debug(`shunted request headers: [('X-Timestamp', ${pyRepr(ts)})]`);
      changed = true;
    }
  }
  if (settings.allowReservedNamesHeader) {
    const allow = pop(headers, "X-Allow-Reserved-Names");
    if (allow !== undefined) {
      headers.set("X-Backend-Allow-Reserved-Names", allow);
      changed = true;
    }
  }
  return changed ? headers : undefined;
}

/** The response without excluded headers (and with relative Locations when asked). */
function outboundResponse(
  response: Response,
  relativeLocation: boolean,
  logger: SwiftLogger,
): Response {
  const headers = new Headers();
  const removed: [string, string][] = [];
  let changed = false;
  for (const [key, value] of response.headers) {
    if (EXCLUSIONS.test(key)) {
      removed.push([titleCase(key), value]);
      changed = true;
    } else if (relativeLocation && key === "location") {
      headers.append(key, relativePath(value));
      changed = true;
    } else {
      headers.append(key, value);
    }
  }
  if (removed.length) {
    const items = removed.map(([k, v]) => `(${pyRepr(k)}, ${pyRepr(v)})`);
    logger.debug(`removed response headers: [${items.join(", ")}]`);
  }
  if (!changed) return response;
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** Path, `?query` and `#fragment` of a URL, split as Python 3.11's urlsplit() splits it. */
export function relativePath(value: string): string {
  // urlsplit() drops leading C0 controls and spaces, and tabs and newlines anywhere.
  let start = 0;
  while (start < value.length && value.charCodeAt(start) <= 0x20) start++;
  let url = value.slice(start).replace(/[\t\r\n]/g, "");
  const colon = url.indexOf(":");
  if (colon > 0 && SCHEME.test(url.slice(0, colon))) url = url.slice(colon + 1);
  if (url.startsWith("//")) {
    const end = url.slice(2).search(/[/?#]/);
    const netloc = end < 0 ? url.slice(2) : url.slice(2, end + 2);
    checkBrackets(netloc);
    url = end < 0 ? "" : url.slice(end + 2);
  }
  let fragment = "";
  let query = "";
  const hash = url.indexOf("#");
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  const question = url.indexOf("?");
  if (question >= 0) [url, query] = [url.slice(0, question), url.slice(question + 1)];
  return url + (query ? `?${query}` : "") + (fragment ? `#${fragment}` : "");
}

/** urlsplit()'s ValueError for a malformed bracketed host (the response then fails: a 500). */
function checkBrackets(netloc: string): void {
  const open = netloc.includes("[");
  if (open !== netloc.includes("]")) throw new TypeError("Invalid IPv6 URL");
  if (!open) return;
  // _check_bracketed_netloc(): nothing before "[", only ":port" after "]".
  const hostAndPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  const bracket = hostAndPort.indexOf("[");
  let hostname: string;
  if (bracket >= 0) {
    if (bracket > 0) throw new TypeError("Invalid IPv6 URL");
    const inside = hostAndPort.slice(bracket + 1);
    const close = inside.indexOf("]");
    hostname = close < 0 ? inside : inside.slice(0, close);
    const port = close < 0 ? "" : inside.slice(close + 1);
    if (port && !port.startsWith(":")) throw new TypeError("Invalid IPv6 URL");
  } else {
    hostname = hostAndPort.split(":")[0];
  }
  if (hostname.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\..+$/.test(hostname)) {
      throw new TypeError("IPvFuture address is invalid");
    }
  } else if (!isIPv6(hostname.split("%")[0])) {
    throw new TypeError(`${pyRepr(hostname)} does not appear to be an IPv6 address in brackets`);
  }
}
