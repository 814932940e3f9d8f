/**
 * Account and container info for middleware, as Swift's filters get it from
 * get_account_info(), get_container_info() and get_info() (swift/proxy/controllers/base.py),
 * plus what those filters share around it: PATH_INFO and split_path(), swift.authorize, and
 * Python's str tests they apply to header and metadata values.
 *
 * The contract, for filters and for whatever runs below them:
 * - A lookup reads `ctx.env["swift.infocache"]` (keys `account/<a>` and `container/<a>/<c>`,
 *   names as text), then memcached when a memcache filter set `swift.cache`.
 * - On a miss it sends a pre-authorized HEAD /v1/<a>[/<c>] through `next`, the rest of the
 *   pipeline below the filter (Swift's self.app), tagged with the filter's swift.source
 *   ("EQ", "CQ"...), User-Agent "Swift", X-Backend-Allow-Reserved-Names "true" and
 *   swift_owner; a container lookup first looks the account up the same way (unless the
 *   account starts with auto_create_account_prefix). The proxy answering the HEAD caches the
 *   info in swift.infocache; when nothing did, the lookup caches what the response says (2xx,
 *   and 404/410 for a tenth of the time), as set_info_cache() does.
 * - Results are copies with Swift's ints (bytes, object_count...), status 0 for a path that is
 *   not a Swift API path and 503 when no usable answer came back.
 *
 * lib/proxy/get_info.ts does the caching and the subrequest; this module only adds what
 * Swift's callers do around it, so it is the one place where middleware reaches into
 * lib/proxy (and lib/object, whose SwobRequest the proxy's swift.authorize takes).
 *
 * Deviations, all from lib/proxy/get_info.ts: the HEAD always goes to /v1 (Swift keeps the
 * client's version, e.g. /v1.0/a), and names that are not valid UTF-8 are quoted from their
 * text rather than from their bytes. swift.conf is not read here: valid_api_versions and
 * auto_create_account_prefix are Swift's defaults, and account info this module caches
 * itself counts per-policy usage for policy 0 only (nothing in Swift 2.30's filters reads it).
 */
import { DEFAULT_SWIFT_CONSTRAINTS, pythonInt } from "../common/constraints.ts";
import { decodeLatin1, decodeUtf8, encodeLatin1, encodeUtf8 } from "../common/python_codecs.ts";
import { buildStoragePolicies } from "../common/storage_policy.ts";
import { splitPath } from "../object/request_path.ts";
import { SwobRequest } from "../object/swob_request.ts";
import { type Authorize, AUTHORIZE_KEY } from "../proxy/call.ts";
import { getAccountInfo, getContainerInfo, type InfoLookup } from "../proxy/get_info.ts";
import { headersToAccountInfo, headersToContainerInfo, type Info } from "../proxy/info_cache.ts";
import type { RequestContext } from "../server/context.ts";
import type { Handler } from "./compose.ts";
import { pathInfoOf } from "./recon/request_path.ts";

export type { Authorize, Info };
export { AUTHORIZE_KEY, splitPath };

/** What a filter looks info up with: its `next`, the client request and its context. */
export interface InfoSource {
  readonly next: Handler;
  readonly req: Request;
  readonly ctx: RequestContext;
  /** swift.source of the subrequests (Swift's swift_source argument). */
  readonly source: string;
}

const FALLBACK_POLICIES = buildStoragePolicies([]);

/** PATH_INFO: the decoded path as a WSGI string, dot segments left as the client sent them. */
export function pathInfo(req: Request): string {
  return pathInfoOf(req.url);
}

/** constraints.valid_api_version(). */
export function validApiVersion(version: string | undefined): boolean {
  return version !== undefined && DEFAULT_SWIFT_CONSTRAINTS.validApiVersions.includes(version);
}

// Python's str.isdigit(): decimal digits (\p{Nd}) and the other digits (superscripts,
// circled digits...) that int() then refuses.
const PY_DIGITS =
  /^[\p{Nd}\u{b2}-\u{b3}\u{b9}\u{1369}-\u{1371}\u{19da}\u{2070}\u{2074}-\u{2079}\u{2080}-\u{2089}\u{2460}-\u{2468}\u{2474}-\u{247c}\u{2488}-\u{2490}\u{24ea}\u{24f5}-\u{24fd}\u{24ff}\u{2776}-\u{277e}\u{2780}-\u{2788}\u{278a}-\u{2792}\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}]+$/u;

/** Python's str.isdigit(): not empty, and digits only (in any script). */
export function isDigit(text: string): boolean {
  return PY_DIGITS.test(text);
}

/**
 * Python's int() of a string; throws (a 500, as Swift's ValueError) where Python would, e.g.
 * for the superscripts isdigit() lets through.
 */
export function intOf(text: string): bigint {
  const value = pythonInt(text);
  if (value === undefined) throw new Error(`invalid literal for int() with base 10: '${text}'`);
  return value;
}

/** swob's req.content_length: Content-Length through int(), 0 when absent (chunked). */
export function contentLengthOf(req: Request): bigint {
  const raw = req.headers.get("Content-Length");
  return raw === null ? 0n : intOf(raw);
}

/** config_true_value(): true, 1, yes, on, t or y, in any case. */
export function configTrueValue(value: string | null | undefined): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** wsgi_to_str(): a WSGI string's bytes read as UTF-8, invalid bytes as surrogate escapes. */
export function wsgiToStr(wsgi: string): string {
  return decodeUtf8(encodeLatin1(wsgi), "surrogateescape");
}

function strToWsgi(text: string): string {
  return decodeLatin1(encodeUtf8(text, "surrogateescape"));
}

/** wsgi_unquote(): %XX escapes decoded to one char per byte. */
function wsgiUnquote(wsgi: string): string {
  return wsgi.replace(/%([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function lookupOf(from: InfoSource, source: string): InfoLookup {
  return {
    handler: from.next,
    ctx: from.ctx,
    req: from.req,
    policies: FALLBACK_POLICIES,
    autoCreateAccountPrefix: DEFAULT_SWIFT_CONSTRAINTS.autoCreateAccountPrefix,
    swiftSource: source,
  };
}

function withInts(info: Info, fields: readonly string[]): Info {
  for (const field of fields) {
    const value = info[field];
    info[field] = value === null || value === undefined ? 0 : Number.parseInt(String(value), 10);
  }
  return info;
}

/**
 * get_account_info(env, app, swift_source) for the account of `path` (a PATH_INFO with at
 * least /version/account); throws RangeError for a shorter path, as Swift raises ValueError.
 */
export async function accountInfo(from: InfoSource, path = pathInfo(from.req)): Promise<Info> {
  const [version, account] = splitPath(path, 2, 3, true) as [string, string];
  if (!validApiVersion(version)) {
    return withInts(headersToAccountInfo([], 0, FALLBACK_POLICIES), [
      "container_count",
      "bytes",
      "total_object_count",
    ]);
  }
  return await getAccountInfo(lookupOf(from, from.source), wsgiToStr(account));
}

/**
 * get_container_info(env, app, swift_source) for the container of `path` (a PATH_INFO with
 * at least /version/account/container), bytes of a versions container included.
 */
export async function containerInfo(from: InfoSource, path = pathInfo(from.req)): Promise<Info> {
  const [version, account, container] = splitPath(path, 3, 4, true) as [string, string, string];
  if (!validApiVersion(version)) {
    return withInts(headersToContainerInfo([], 0), ["storage_policy", "bytes", "object_count"]);
  }
  const info = await getContainerInfo(
    lookupOf(from, from.source),
    wsgiToStr(account),
    wsgiToStr(container),
  );
  // Object versioning keeps old versions in a hidden container whose bytes count as this
  // container's, so a quota covers them; Swift looks it up without the caller's source.
  const versions = (info.sysmeta as Record<string, string> | undefined)?.["versions-container"];
  if (versions) {
    const name = wsgiUnquote(strToWsgi(versions)).split("/")[0];
    const extra = await containerInfo(
      { ...from, source: "GET_CONTAINER_INFO" },
      `/${version}/${account}/${name}`,
    );
    info.bytes = (info.bytes as number) + (extra.bytes as number);
  }
  return info;
}

/** get_info(app, env, account, container): info by WSGI names, always through /v1. */
export function infoOf(from: InfoSource, account: string, container?: string): Promise<Info> {
  return container
    ? containerInfo(from, `/v1/${account}/${container}`)
    : accountInfo(from, `/v1/${account}`);
}

/**
 * Calls `swift.authorize` as the proxy does (lib/proxy/call.ts) with `acl` as swob's req.acl;
 * undefined when there is no hook or it lets the request through, else its denial.
 */
export async function authorizeWithAcl(
  req: Request,
  ctx: RequestContext,
  acl: string | undefined,
): Promise<Response | undefined> {
  const hook = ctx.env[AUTHORIZE_KEY] as Authorize;
  const swob = new SwobRequest(req, ctx.remoteAddr.hostname);
  return await hook({ req: swob, ctx, acl }) ?? undefined;
}

/** Whether an auth filter installed `swift.authorize`. */
export function hasAuthorize(ctx: RequestContext): boolean {
  return AUTHORIZE_KEY in ctx.env;
}
