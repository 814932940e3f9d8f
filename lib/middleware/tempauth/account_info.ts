/**
 * get_account_info(env, app, swift_source="TA") for tempauth's account ACL check: the info
 * from swift.infocache, else from memcached (`account/<account>`, as the proxy caches it),
 * else from a pre-authorized HEAD of the account through the rest of the pipeline.
 *
 * Unlike Swift, the HEAD's answer is not written back to the caches: the proxy's account
 * controller owns that info dict (container counts, per-policy stats...) and caches it
 * when it answers the HEAD, as Swift's does; tempauth only reads its sysmeta.
 */
import type { Handler } from "../compose.ts";
import type { AccountInfo, AccountInfoLookup, AuthorizeRequest } from "./authorize.ts";
import { CACHE_ENV_KEY } from "../memcache.ts";
import type { TokenCache } from "./token_store.ts";
import { splitPath, wsgiQuote, wsgiToStr } from "./swob.ts";

/** swift.common.constraints.VALID_API_VERSIONS without a [swift-constraints] override. */
export const DEFAULT_API_VERSIONS: readonly string[] = ["v1", "v1.0"];

const SYSMETA_PREFIX = "x-account-sysmeta-";

/** Headers make_env() carries over into a sub-request (Origin is dropped on purpose). */
const COPIED_HEADERS = [
  "Host",
  "Referer",
  "X-User-Id",
  "X-Project-Id",
  "Access-Control-Request-Method",
];

function nonEmpty(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}

/** The account's sysmeta in a HEAD answer, by lower-case name without the prefix. */
function sysmetaOf(headers: Headers): Record<string, string> {
  const sysmeta: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith(SYSMETA_PREFIX)) {
      sysmeta[name.slice(SYSMETA_PREFIX.length)] = wsgiToStr(value);
    }
  }
  return sysmeta;
}

/**
 * The lookup `swift.authorize` uses for one client request: `next` is the rest of the
 * pipeline (Swift's self.app), `origin` the client request's URL (scheme and host).
 */
export function accountInfoLookup(
  next: Handler,
  origin: string,
  validApiVersions: readonly string[] = DEFAULT_API_VERSIONS,
): AccountInfoLookup {
  return async function accountInfo({ req, ctx }: AuthorizeRequest): Promise<AccountInfo> {
    const [version, wsgiAccount] = splitPath(req.pathInfo, 2, 3, true) as [string, string];
    if (!validApiVersions.includes(version)) return { sysmeta: {} };
    const key = `account/${wsgiToStr(wsgiAccount)}`;
    const env = ctx.env;
    const infocache = () => (env["swift.infocache"] ??= {}) as Record<string, unknown>;

    let info = (env["swift.infocache"] as Record<string, unknown> | undefined)?.[key];
    const cache = env[CACHE_ENV_KEY] as TokenCache | undefined;
    if (info == null && cache) {
      info = await cache.get(key);
      if (nonEmpty(info)) infocache()[key] = info;
    }
    if (nonEmpty(info)) return info as AccountInfo;

    // make_pre_authed_env(): the HEAD passes any auth, and looks like the account owner's.
    const subEnv: Record<string, unknown> = {
      "swift.infocache": infocache(),
      "swift.authorize": () => Promise.resolve(undefined),
      "swift.authorize_override": true,
      "swift.source": "TA",
      REMOTE_USER: ".wsgi.pre_authed",
      swift_owner: true,
    };
    if (cache) subEnv[CACHE_ENV_KEY] = cache;
    const headers = new Headers({
      "User-Agent": "Swift",
      "X-Backend-Allow-Reserved-Names": "true",
    });
    for (const name of COPIED_HEADERS) {
      const value = req.headers.get(name);
      if (value !== undefined) headers.set(name, value);
    }
    const url = new URL(wsgiQuote(`/${version}/${wsgiAccount}`), origin);
    const resp = await next(new Request(url, { method: "HEAD", headers }), {
      logger: ctx.logger,
      txnId: ctx.txnId,
      remoteAddr: ctx.remoteAddr,
      startTime: Date.now(),
      env: subEnv,
    });
    await resp.body?.cancel();
    // The proxy may have cached the info while answering; that copy is the one Swift uses.
    const cached = infocache()[key];
    if (cached != null) return nonEmpty(cached) ? cached as AccountInfo : { sysmeta: {} };
    // set_info_cache() keeps info only for successes and 404/410; anything else reads as 503.
    const usable = (resp.status >= 200 && resp.status < 300) || [404, 410].includes(resp.status);
    return { sysmeta: usable ? sysmetaOf(resp.headers) : {} };
  };
}
