/**
 * egg:swift#ratelimit (swift/common/middleware/ratelimit.py, Swift 2.30): limits container
 * PUT/DELETE per account, object writes per container and container listings, by container
 * size, with a running "next free slot" time per key kept in memcached, so swiftd and Swift
 * proxies sharing memcached limit together (same keys, same md5-hashed names, same ms counts).
 *
 * Per key, _get_sleep_time(): incr the key by the request's share of a second (in
 * clock_accuracy ticks); a key more than rate_buffer_seconds behind now is reset to now plus
 * one share, else the request sleeps until its slot. A request that would sleep
 * max_sleep_time_seconds (to within 1% of a tick second) gets its share back and a 498 "Slow
 * down". Accounts on account_blacklist or whose X-Account-Sysmeta-Global-Write-Ratelimit is
 * BLACKLIST get 497 after a second's sleep; WHITELIST (or account_whitelist) skips all limits;
 * a number there limits every write to the account to that rate.
 *
 * The contract with the rest of the pipeline, through ctx.env (Swift's environ keys):
 * - `swift.cache`: the MemcacheRing (memcache filter). As in Swift, the first one seen is kept
 *   for the worker's life, and without one requests pass unlimited, with a warning each.
 * - `swift.ratelimit.handled`: set on the first pass so a request is limited once, however
 *   many ratelimit filters or subrequests it goes through.
 * - Account and container info come from _info_lookup.ts (swift.source "RL").
 *
 * Kept from Swift on purpose: the log and 498 texts; a global-write limit hit on an account
 * request (no container) fails with TypeError, as Swift's '/'.join() of None does (a 500).
 */
import { MemcacheConnectionError } from "../common/memcached.ts";
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import type { StageConfig } from "../config/load.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import {
  accountInfo,
  containerInfo,
  pathInfo,
  splitPath,
  validApiVersion,
} from "./_info_lookup.ts";
import { pyFixed } from "./proxy_logging/python_text.ts";
import {
  getMaxrate,
  pyFloat,
  type RateLimitSettings,
  ratelimitSettings,
} from "./ratelimit/limits.ts";

export { getMaxrate, interpretConfLimits, type RateTier } from "./ratelimit/limits.ts";
export { type RateLimitSettings, ratelimitSettings };

/** What the filter needs of `swift.cache` (MemcacheRing fits). */
export interface RateLimitCache {
  incr(key: string, delta?: number): Promise<number>;
  decr(key: string, delta?: number): Promise<number>;
  set(key: string, value: unknown, options?: { readonly serialize?: boolean }): Promise<void>;
}

/** What ratelimitFilterWith() takes besides the settings. */
export interface RateLimitOptions {
  readonly logger?: Pick<SwiftLogger, "warning" | "error">;
  /** Seconds since the epoch (time.time()). */
  readonly clock?: () => number;
  /** Waits `seconds` (eventlet.sleep()). */
  readonly sleep?: (seconds: number) => Promise<void>;
}

/** Seconds a blacklisted account's request waits before its 497 (BLACK_LIST_SLEEP). */
export const BLACK_LIST_SLEEP = 1;

const WRITES = ["PUT", "DELETE", "POST", "COPY"];

class MaxSleepTimeHit extends Error {}

/**
 * register_swift_info('ratelimit', ...): the limits Swift chooses to publish. Swift's are
 * floats (0.0, [[10, 5.0]]); these are plain numbers, because the /info registry clones its
 * sections and would turn a PyFloat into {"value": ...}: JSON-equal, not byte-equal.
 */
export function ratelimitInfo(settings: RateLimitSettings): Record<string, unknown> {
  const tiers = (list: RateLimitSettings["containerRatelimits"]) =>
    list.map((t) => [t.size, t.rate]);
  return {
    account_ratelimit: settings.accountRatelimit,
    max_sleep_time_seconds: settings.maxSleepTimeSeconds,
    container_ratelimits: tiers(settings.containerRatelimits),
    container_listing_ratelimits: tiers(settings.containerListingRatelimits),
  };
}

/** Builds the ratelimit filter from its [filter:ratelimit] stage. */
export function ratelimitFilter(stage: StageConfig, build: BuildContext): Filter {
  return ratelimitFilterWith(ratelimitSettings(stage), { logger: build.logger });
}

/** A swob Response with a text body, as Swift builds its 497 and 498. */
function textResponse(status: number, reason: string, body: string, method: string): Response {
  return new Response(method === "HEAD" ? null : body, {
    status,
    statusText: reason,
    headers: { "Content-Type": "text/html; charset=UTF-8", "Content-Length": String(body.length) },
  });
}

/** Builds the ratelimit filter from settings already read. */
export function ratelimitFilterWith(
  settings: RateLimitSettings,
  options: RateLimitOptions = {},
): Filter {
  const logger = options.logger;
  const clock = options.clock ?? (() => Date.now() / 1000);
  const sleep = options.sleep ??
    ((seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)));
  const accuracy = settings.clockAccuracy;
  // Swift's self.memcache_client: the first swift.cache seen serves every later request.
  let memcache: RateLimitCache | undefined;

  /** _get_sleep_time(): seconds to wait for a slot of `key`; throws MaxSleepTimeHit. */
  async function sleepTime(cache: RateLimitCache, key: string, maxRate: number): Promise<number> {
    try {
      const nowM = roundHalfEven(clock() * accuracy);
      const perRequestM = roundHalfEven(accuracy / maxRate);
      const runningM = await cache.incr(key, perRequestM);
      let needM = 0;
      if (nowM - runningM > settings.rateBufferSeconds * accuracy) {
        await cache.set(key, String(nowM + perRequestM), { serialize: false });
      } else {
        needM = Math.max(runningM - nowM - perRequestM, 0);
      }
      const maxSleepM = settings.maxSleepTimeSeconds * accuracy;
      if (maxSleepM - needM <= accuracy * 0.01) {
        // Give the slot back: this request will not use it.
        await cache.decr(key, perRequestM);
        throw new MaxSleepTimeHit(`Max Sleep Time Exceeded: ${pyFixed(needM / accuracy, 2)}`);
      }
      return needM / accuracy;
    } catch (err) {
      if (err instanceof MemcacheConnectionError) return 0;
      throw err;
    }
  }

  /** get_container_size(): the object count of the request's container. */
  async function containerSize(next: Handler, req: Request, ctx: RequestContext) {
    const info = await containerInfo({ next, req, ctx, source: "RL" });
    return (info.object_count ?? info.container_size ?? 0) as number;
  }

  /** get_ratelimitable_key_tuples(): [memcache key, requests per second], in order. */
  async function keysOf(
    next: Handler,
    req: Request,
    ctx: RequestContext,
    path: { account?: string; container?: string; obj?: string },
    globalRatelimit: unknown,
  ): Promise<[string, number][]> {
    const { account, container, obj } = path;
    const method = req.method;
    const keys: [string, number][] = [];
    // COPY to a container is not limited here; the copy filter's PUT is.
    if (
      settings.accountRatelimit && account && container && !obj &&
      (method === "PUT" || method === "DELETE")
    ) {
      keys.push([`ratelimit/${account}`, settings.accountRatelimit]);
    }
    if (account && container && obj && WRITES.includes(method)) {
      const rate = getMaxrate(settings.containerRatelimits, await containerSize(next, req, ctx));
      if (rate) keys.push([`ratelimit/${account}/${container}`, rate]);
    }
    if (account && container && !obj && method === "GET") {
      const size = await containerSize(next, req, ctx);
      const rate = getMaxrate(settings.containerListingRatelimits, size);
      if (rate) keys.push([`ratelimit_listing/${account}/${container}`, rate]);
    }
    if (account && WRITES.includes(method) && globalRatelimit) {
      const rate = typeof globalRatelimit === "string" ? pyFloat(globalRatelimit) : undefined;
      if (rate !== undefined && rate > 0) keys.push([`ratelimit/global-write/${account}`, rate]);
    }
    return keys;
  }

  /** handle_ratelimit(): a 497/498 response, or undefined to go on. */
  async function handle(
    next: Handler,
    req: Request,
    ctx: RequestContext,
    cache: RateLimitCache,
    path: { account?: string; container?: string; obj?: string },
  ): Promise<Response | undefined> {
    if (ctx.env["swift.ratelimit.handled"]) return undefined;
    ctx.env["swift.ratelimit.handled"] = true;
    let globalRatelimit: unknown;
    try {
      const info = await accountInfo({ next, req, ctx, source: "RL" });
      globalRatelimit = (info.sysmeta as Record<string, unknown> | undefined)?.[
        "global-write-ratelimit"
      ];
    } catch (err) {
      // No account in the path (Swift's ValueError): no account-wide limit either.
      if (!(err instanceof RangeError)) throw err;
    }
    const { account, container, obj } = path;
    if (
      (account !== undefined && settings.accountWhitelist.includes(account)) ||
      globalRatelimit === "WHITELIST"
    ) {
      return undefined;
    }
    if (
      (account !== undefined && settings.accountBlacklist.includes(account)) ||
      globalRatelimit === "BLACKLIST"
    ) {
      logger?.error(`Returning 497 because of blacklisting: ${account}`);
      await sleep(BLACK_LIST_SLEEP);
      return textResponse(497, "Blacklisted", "Your account has been blacklisted", req.method);
    }
    for (const [key, maxRate] of await keysOf(next, req, ctx, path, globalRatelimit)) {
      try {
        const need = await sleepTime(cache, key, maxRate);
        if (settings.logSleepTimeSeconds && need > settings.logSleepTimeSeconds) {
          logger?.warning(
            `Ratelimit sleep log: ${pythonFloatRepr(need)} for ` +
              `${account ?? "None"}/${container ?? "None"}/${obj ?? "None"}`,
          );
        }
        if (need > 0) await sleep(need);
      } catch (err) {
        if (!(err instanceof MaxSleepTimeHit)) throw err;
        if (container === undefined) {
          // Swift's '/'.join((account_name, None)) raises here, so its client gets a 500.
          throw new TypeError("sequence item 1: expected str instance, NoneType found");
        }
        const target = obj ? `${account}/${container}/${obj}` : `${account}/${container}`;
        logger?.error(
          `Returning 498 for ${req.method} to ${target}. Ratelimit (Max Sleep) ${err.message}`,
        );
        return textResponse(498, "Rate Limited", "Slow down", req.method);
      }
    }
    return undefined;
  }

  return (next) =>
    async function ratelimit(req, ctx) {
      if (!memcache) {
        memcache = ctx.env["swift.cache"] as RateLimitCache | undefined;
        if (!memcache) logger?.error("ERROR: swift.cache could not be found in env!");
      }
      if (!memcache) {
        logger?.warning("Warning: Cannot ratelimit without a memcached client");
        return await next(req, ctx);
      }
      let version: string | undefined;
      let account: string | undefined;
      let container: string | undefined;
      let obj: string | undefined;
      try {
        [version, account, container, obj] = splitPath(pathInfo(req), 1, 4, true);
      } catch {
        return await next(req, ctx);
      }
      if (!validApiVersion(version)) return await next(req, ctx);
      const answer = await handle(next, req, ctx, memcache, { account, container, obj });
      return answer ?? await next(req, ctx);
    };
}

/** Python 3's round() to an int: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
