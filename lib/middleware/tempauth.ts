/**
 * egg:swift#tempauth (swift/common/middleware/tempauth.py, Swift 2.30): users from the conf,
 * tokens at auth_prefix, and authorization of every other request.
 *
 * The contract with the proxy, through ctx.env (Swift's environ keys):
 * - `REMOTE_USER`: the token's groups, `account,account:user,...`, when the token is valid;
 * - `swift.authorize`: an Authorize function (lib/proxy/call.ts calls it) taking the proxy's
 *   { req: SwobRequest, ctx, acl }: before the controller runs, and again once the
 *   controller has set `acl` to the container's read or write ACL (Swift's delay_denial).
 *   Undefined means go on; a Response is the answer to send. It may set `swift_owner` in
 *   ctx.env (owner-only headers are then shown and accepted), moves a valid
 *   X-Account-Access-Control to X-Account-Sysmeta-Core-Access-Control in req.headers, and
 *   may send a pre-authorized HEAD of the account through the rest of the pipeline
 *   (swift.source "TA") to read the account's ACLs;
 * - `swift.clean_acl`: cleanAcl(header, value), which the proxy applies to X-Container-Read
 *   and X-Container-Write (AclError -> 400);
 * - `reseller_request`: true for a `.reseller_admin` token.
 * An earlier filter may set `swift.authorize_override` to skip tempauth (allow_overrides),
 * or its own `swift.authorize`, which tempauth keeps where it is not the definitive auth.
 *
 * Deviations from Swift: tokens live in the worker when no memcache filter sets swift.cache
 * (see tempauth/token_store.ts); s3api's auth details are not handled (swiftd has no s3api);
 * account ACLs are read for the default API versions (v1, v1.0).
 */
import type { StageConfig } from "../config/load.ts";
import { cleanAcl } from "../common/acl.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter } from "./compose.ts";
import { accountInfoLookup } from "./tempauth/account_info.ts";
import { type Authorize, authorize, deniedResponse } from "./tempauth/authorize.ts";
import { handleAuthRequest } from "./tempauth/get_token.ts";
import { type TempAuthSettings, tempauthSettings } from "./tempauth/settings.ts";
import { pathInfoOf, splitPath, swobResponse } from "./tempauth/swob.ts";
import {
  LocalTokenCache,
  readTokenEntry,
  type TokenCache,
  tokenCacheOf,
} from "./tempauth/token_store.ts";

export type { AccountInfo, Authorize, AuthorizeRequest } from "./tempauth/authorize.ts";
export type { TempAuthSettings, TempAuthUser } from "./tempauth/settings.ts";
export { LocalTokenCache, type TokenCache } from "./tempauth/token_store.ts";
export { tempauthSettings } from "./tempauth/settings.ts";
export { DEFAULT_API_VERSIONS } from "./tempauth/account_info.ts";

/** What tempauthFilterWith() needs besides the settings. */
export interface TempAuthOptions {
  readonly logger?: SwiftLogger;
  /** The token store used without swift.cache (one per worker by default). */
  readonly localCache?: TokenCache;
  /** Seconds since the epoch. */
  readonly clock?: () => number;
  /** swift.conf's valid_api_versions, for the account ACL lookup. */
  readonly validApiVersions?: readonly string[];
}

/** Builds the tempauth filter from its [filter:tempauth] stage. */
export function tempauthFilter(stage: StageConfig, build: BuildContext): Filter {
  const settings = tempauthSettings(stage, (message) => build.logger.warning(message));
  return tempauthFilterWith(settings, { logger: build.logger });
}

/** Builds the tempauth filter from settings already read. */
export function tempauthFilterWith(
  settings: TempAuthSettings,
  options: TempAuthOptions = {},
): Filter {
  const local = options.localCache ?? new LocalTokenCache(options.clock);
  const clock = options.clock ?? (() => Date.now() / 1000);
  const prefix = settings.resellerPrefixes[0];

  /** get_groups(): the groups cached for a live token, or undefined. */
  async function groupsOf(cache: TokenCache, token: string): Promise<string | undefined> {
    const entry = await readTokenEntry(cache, prefix, token);
    return entry && entry.expires >= clock() ? entry.groups : undefined;
  }

  /** _is_definitive_auth(): whether the path's account has one of our non-empty prefixes. */
  function definitive(pathInfo: string): boolean {
    let account: string | undefined;
    try {
      [, account] = splitPath(pathInfo, 1, 3, true);
    } catch {
      return false;
    }
    if (!account) return false;
    return settings.resellerPrefixes.some((p) => p !== "" && account!.startsWith(p));
  }

  return (next) => {
    /** Installs swift.authorize (bound to this request) and swift.clean_acl. */
    function installAuthorize(req: Request, ctx: RequestContext): void {
      const lookup = accountInfoLookup(next, req.url, options.validApiVersions);
      const bound: Authorize = (areq) => authorize(settings, areq, lookup);
      ctx.env["swift.authorize"] = bound;
      ctx.env["swift.clean_acl"] = cleanAcl;
    }
    const denied: Authorize = (areq) => Promise.resolve(deniedResponse(areq));

    return async function tempauth(req, ctx) {
      const env = ctx.env;
      if (settings.allowOverrides && env["swift.authorize_override"]) return next(req, ctx);
      const pathInfo = pathInfoOf(req);
      const cache = tokenCacheOf(env, local);
      if (pathInfo.startsWith(settings.authPrefix)) {
        return handleAuthRequest({ settings, cache, logger: options.logger, clock }, req, pathInfo);
      }
      // env.get('HTTP_X_AUTH_TOKEN', env.get('HTTP_X_STORAGE_TOKEN')): presence decides.
      const token = req.headers.has("X-Auth-Token")
        ? req.headers.get("X-Auth-Token")
        : req.headers.get("X-Storage-Token");
      const serviceToken = req.headers.get("X-Service-Token");
      if (token && token.startsWith(prefix)) {
        // Note: an empty reseller prefix matches every token.
        let groups = await groupsOf(cache, token);
        if (serviceToken) {
          const serviceGroups = await groupsOf(cache, serviceToken);
          if (groups && serviceGroups) groups += `,${serviceGroups}`;
        }
        if (groups) {
          env.REMOTE_USER = groups;
          installAuthorize(req, ctx);
          // Swift tests the joined string, not the list, so this is a substring test.
          if (groups.includes(".reseller_admin")) env.reseller_request = true;
        } else if (prefix) {
          // Our prefix, so our token: nobody else can vouch for it.
          let realm = "unknown";
          try {
            realm = splitPath(pathInfo, 2, 3, true)[1]!;
          } catch {
            // No account in the path.
          }
          return swobResponse(401, req.method, {
            headers: { "Www-Authenticate": `Swift realm="${realm}"` },
          });
        } else if (!("swift.authorize" in env)) {
          // With an empty prefix another auth may know the token; deny only by default.
          env["swift.authorize"] = denied;
        }
      } else if (definitive(pathInfo)) {
        installAuthorize(req, ctx);
      } else if (prefix === "") {
        if (!("swift.authorize" in env)) installAuthorize(req, ctx);
      } else if (!("swift.authorize" in env)) {
        env["swift.authorize"] = denied;
      }
      return next(req, ctx);
    };
  };
}
