/**
 * Requests to storage servers, as Swift's proxy makes them: the path
 * `/<device>/<partition><entity path>` quoted as http_connect() quotes it, the query string
 * round-tripped through parse_qsl()/urlencode() in latin-1, and the headers
 * generate_request_headers() builds (X-Timestamp, X-Trans-Id, User-Agent, Referer).
 */
import { Timestamp } from "../common/timestamp.ts";
import { request } from "../http/request.ts";
import type { BackendResponse } from "../http/response.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { pyQuote, wsgiQuote } from "../object/wsgi_text.ts";
import type { ProxyApplication } from "./application.ts";
import type { ProxyCall } from "./call.ts";
import type { Node } from "./node_iter.ts";

/**
 * Headers that describe the client's connection, not the request: the proxy frames its own
 * backend requests (Swift's http.client does the same with the values it sends).
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "expect",
  "te",
  "upgrade",
  "proxy-connection",
  "host",
]);

/** The quoted backend path of `entityPath` (a WSGI string such as "/AUTH_a/c/o"). */
export function backendPath(node: Node, partition: number, entityPath: string): string {
  return pyQuote(`/${node.device}/${partition}`) + wsgiQuote(entityPath);
}

/** quote_plus(text, safe="", encoding="latin-1") of a WSGI string. */
function quotePlus(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const code = text.charCodeAt(i) & 0xff;
    if (/[A-Za-z0-9_.\-~]/.test(char)) out += char;
    else if (char === " ") out += "+";
    else out += `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** urlencode(pairs, encoding="latin-1"). */
export function urlencode(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs].map(([name, value]) => `${quotePlus(name)}=${quotePlus(value)}`).join("&");
}

/** parse_qsl(query, keep_blank_values=True, encoding="latin-1"): every pair, in order. */
export function parseQsl(query: string): [string, string][] {
  const pairs: [string, string][] = [];
  const unquote = (text: string) =>
    text.replaceAll("+", " ").replace(
      /%([0-9a-fA-F]{2})/g,
      (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
    );
  for (const field of query.split("&")) {
    if (!field) continue;
    const at = field.indexOf("=");
    pairs.push(
      at < 0 ? [unquote(field), ""] : [
        unquote(field.slice(0, at)),
        unquote(field.slice(at + 1)),
      ],
    );
  }
  return pairs;
}

/** The query string of the client request, as the object controllers forward it. */
export function clientQuery(req: SwobRequest): string {
  return urlencode(parseQsl(req.url.search.replace(/^\?/, "")));
}

/**
 * generate_request_headers(): `additional` first (the client's headers, or an info request's),
 * then X-Timestamp if missing, X-Trans-Id, User-Agent and Referer. Hop-by-hop headers of the
 * client connection are left out.
 */
export function generateRequestHeaders(
  call: ProxyCall,
  options: { additional?: Iterable<readonly [string, string]>; transfer?: TransferRule } = {},
): Headers {
  const headers = new Headers();
  for (const [name, value] of options.additional ?? []) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.set(name, value);
  }
  if (options.transfer) transferHeaders(call.req, headers, options.transfer);
  if (!headers.has("X-Timestamp")) headers.set("X-Timestamp", Timestamp.now().internal);
  headers.set("X-Trans-Id", call.txnId);
  headers.set("User-Agent", call.app.backendUserAgent);
  headers.set("Referer", call.req.asReferer());
  return headers;
}

/** Which client headers transfer_headers() copies for one server type. */
export interface TransferRule {
  /** "account", "container" or "object". */
  readonly serverType: string;
  /** Lower-case names copied as they are. */
  readonly passThrough: readonly string[];
  /** Lower-case X-Remove-* names turned into their header with an empty value. */
  readonly removeHeaders: readonly string[];
}

/**
 * transfer_headers(): X-Remove-<type>-Meta-* and the controller's X-Remove-* headers become
 * empty values of the header they name; metadata (user and sysmeta) and pass-through headers
 * are copied.
 */
export function transferHeaders(req: SwobRequest, dst: Headers, rule: TransferRule): void {
  const type = rule.serverType;
  const removePrefix = `x-remove-${type}-meta-`;
  for (const [name] of req.headers.entries()) {
    const lower = name.toLowerCase();
    if (lower.startsWith(removePrefix) || rule.removeHeaders.includes(lower)) {
      dst.set(lower.replace("-remove", ""), "");
    }
  }
  for (const [name, value] of req.headers.entries()) {
    const lower = name.toLowerCase();
    if (
      rule.passThrough.includes(lower) || lower.startsWith(`x-${type}-meta-`) ||
      lower.startsWith(`x-${type}-sysmeta-`)
    ) {
      dst.set(lower, value);
    }
  }
}

/** One backend request; the caller reads or cancels the body. */
export async function sendToNode(
  app: ProxyApplication,
  node: Node,
  init: {
    partition: number;
    method: string;
    path: string;
    headers: Headers;
    query?: string;
    body?: Uint8Array;
    nodeTimeout?: number;
  },
): Promise<BackendResponse> {
  const query = init.query ? `?${init.query}` : "";
  const started = performance.now();
  const response = await request({ host: node.ip, port: node.port }, {
    method: init.method,
    path: backendPath(node, init.partition, init.path) + query,
    headers: init.headers,
    body: init.body,
    connTimeout: app.settings.connTimeout,
    nodeTimeout: init.nodeTimeout ?? app.settings.nodeTimeout,
    pool: app.pool,
  });
  app.setNodeTiming(node, (performance.now() - started) / 1000);
  return response;
}

/** Reads a small backend body (an error page, a PUT's answer); larger ones are cut. */
export async function readSmallBody(response: BackendResponse): Promise<Uint8Array> {
  try {
    return await response.bytes(1 << 20);
  } catch {
    return new Uint8Array();
  }
}
