/**
 * TempAuth.handle(), handle_request() and handle_get_token(): the token endpoint under
 * auth_prefix. `GET <auth_prefix>v1.0` (or `auth`) with X-Auth-User `account:user` and
 * X-Auth-Key (or X-Storage-User/X-Storage-Pass), or `GET <auth_prefix>v1/<account>/auth` with
 * X-Storage-User `user`, answers 200 with X-Auth-Token, X-Storage-Token, X-Storage-Url and
 * X-Auth-Token-Expires, reusing the user's live token when its groups are unchanged.
 *
 * Keys are compared in constant time: both sides are HMAC'd under a per-process random key
 * and the digests compared with timingSafeEqual, so neither the content nor the length of
 * the configured key shows in the response time.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { MemcacheConnectionError } from "../../common/memcached.ts";
import type { SwiftLogger } from "../../log/logger.ts";
import type { TempAuthSettings } from "./settings.ts";
import { hostUrl, splitPath, swobResponse, wsgiToStr } from "./swob.ts";
import { readTokenEntry, type TokenCache } from "./token_store.ts";

const COMPARE_KEY = randomBytes(32);

/** The UTF-16 code units of a string, so that equal digests mean equal JS strings. */
function units(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

/** `a === b` in time that depends on neither value. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHmac("sha256", COMPARE_KEY).update(units(text)).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * _get_user_groups(): `account,account:user,groups...`; `.admin` (its first occurrence) is
 * replaced by the account under every non-empty reseller prefix and its storage account id.
 */
export function userGroups(
  settings: TempAuthSettings,
  account: string,
  accountUser: string,
  accountId: string,
): string {
  const groups = [account, accountUser, ...settings.users.get(accountUser)!.groups];
  const admin = groups.indexOf(".admin");
  if (admin >= 0) {
    groups.splice(admin, 1);
    for (const prefix of settings.resellerPrefixes) if (prefix) groups.push(`${prefix}${account}`);
    if (!groups.includes(accountId)) groups.push(accountId);
  }
  return groups.join(",");
}

function unauthorized(realm: string): Response {
  return swobResponse(401, "GET", { headers: { "Www-Authenticate": `Swift realm="${realm}"` } });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((g) => y.has(g));
}

/** Where the token endpoint finds its tokens and logs. */
export interface TokenEndpoint {
  readonly settings: TempAuthSettings;
  readonly cache: TokenCache;
  readonly logger?: SwiftLogger;
  /** Seconds since the epoch. */
  readonly clock?: () => number;
}

/** handle_get_token() for an authenticated-looking request; throws what Swift would raise. */
async function getToken(endpoint: TokenEndpoint, req: Request, pathInfo: string) {
  const { settings, cache } = endpoint;
  const now = endpoint.clock ?? (() => Date.now() / 1000);
  let segs: (string | undefined)[];
  try {
    segs = splitPath(pathInfo, 1, 3, true);
  } catch {
    return swobResponse(404, req.method);
  }
  const header = (name: string) => req.headers.get(name) || undefined;
  let account: string | undefined;
  let user: string | undefined;
  let key: string | undefined;
  if (segs[0] === "v1" && segs[2] === "auth") {
    account = segs[1]!;
    user = header("X-Storage-User");
    if (!user) {
      user = header("X-Auth-User");
      if (!user || !user.includes(":")) return unauthorized(account);
      const colon = user.indexOf(":");
      if (wsgiToStr(account) !== user.slice(0, colon)) return unauthorized(account);
      user = user.slice(colon + 1);
    }
    key = header("X-Storage-Pass") ?? header("X-Auth-Key");
  } else if (segs[0] === "auth" || segs[0] === "v1.0") {
    const accountUser = header("X-Auth-User") ?? header("X-Storage-User");
    if (!accountUser || !accountUser.includes(":")) return unauthorized("unknown");
    const colon = accountUser.indexOf(":");
    account = accountUser.slice(0, colon);
    user = accountUser.slice(colon + 1);
    key = header("X-Auth-Key") ?? header("X-Storage-Pass");
  } else {
    return swobResponse(400, req.method);
  }
  if (!account || !user || !key) return unauthorized(account || "unknown");

  const accountUser = `${account}:${user}`;
  const entry = settings.users.get(accountUser);
  if (!entry) return unauthorized(account);
  if (!constantTimeEqual(entry.key, key)) return unauthorized("unknown");
  const accountId = entry.url.slice(entry.url.lastIndexOf("/") + 1);
  const prefix = settings.resellerPrefixes[0];
  const groups = userGroups(settings, account, accountUser, accountId);

  // The user's live token is reused while its groups still match the conf.
  let token: string | undefined;
  let expires = 0;
  const userKey = `${prefix}/user/${accountUser}`;
  const candidate = await cache.get(userKey);
  if (typeof candidate === "string" && candidate) {
    const old = await readTokenEntry(cache, prefix, candidate);
    if (old && old.expires > now() && sameSet(old.groups.split(","), groups.split(","))) {
      token = candidate;
      expires = old.expires;
    }
  }
  if (!token) {
    // uuid4().hex, as Swift: 122 bits from the CSPRNG.
    token = `${prefix}tk${crypto.randomUUID().replaceAll("-", "")}`;
    expires = now() + settings.tokenLife;
    try {
      await cache.set(`${prefix}/token/${token}`, [expires, groups], {
        time: expires - now(),
        raiseOnError: true,
      });
      await cache.set(userKey, token, { time: expires - now(), raiseOnError: true });
    } catch (err) {
      if (!(err instanceof MemcacheConnectionError)) throw err;
      return swobResponse(503, req.method);
    }
  }
  let url = entry.url.replaceAll("$HOST", hostUrl(req));
  if (settings.storageUrlScheme !== "default") {
    const colon = url.indexOf(":");
    if (colon < 0) throw new RangeError(`Storage URL "${url}" has no scheme to replace`);
    url = `${settings.storageUrlScheme}:${url.slice(colon + 1)}`;
  }
  return swobResponse(200, req.method, {
    headers: {
      "X-Auth-Token": token,
      "X-Storage-Token": token,
      "X-Auth-Token-Expires": String(Math.trunc(expires - now())),
      "X-Storage-Url": url,
    },
  });
}

/**
 * handle(): answers a request under auth_prefix. As in Swift, an unexpected error becomes a
 * bare 500 "Internal server error." here rather than reaching catch_errors.
 */
export async function handleAuthRequest(
  endpoint: TokenEndpoint,
  req: Request,
  pathInfo: string,
): Promise<Response> {
  try {
    // path_info_pop(): one segment of the prefix moves to SCRIPT_NAME.
    const slash = pathInfo.indexOf("/", 1);
    const rest = slash < 0 ? "" : pathInfo.slice(slash);
    if (req.method !== "GET") return swobResponse(405, req.method);
    let version: string | undefined;
    try {
      [version] = splitPath(rest, 1, 4, true);
    } catch {
      return swobResponse(404, req.method);
    }
    if (!["v1", "v1.0", "auth"].includes(version!)) return swobResponse(400, req.method);
    return await getToken(endpoint, req, rest);
  } catch (err) {
    endpoint.logger?.exception("EXCEPTION IN handle", err);
    return new Response("Internal server error.\n", {
      status: 500,
      headers: { "Content-Type": "text/plain" },
    });
  }
}
