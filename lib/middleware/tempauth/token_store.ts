/**
 * Where tempauth keeps tokens: `swift.cache` (Swift's MemcacheRing, or anything with its
 * get/set), under tempauth's own keys and values, so swiftd workers and real Swift proxies
 * sharing the memcached servers accept each other's tokens:
 *
 * - `<reseller_prefix>/token/<token>` -> `[expires, "group,group,..."]` (JSON; expires in
 *   seconds since the epoch), living until the token expires;
 * - `<reseller_prefix>/user/<account>:<user>` -> `"<token>"`, the user's current token.
 *
 * Deviation from Swift: without `swift.cache` (no memcache filter in the pipeline) Swift's
 * tempauth fails every token request with "Memcache required"; swiftd keeps tokens in the
 * worker's memory instead (LocalTokenCache), so the all-in-one default works without
 * memcached. Such tokens are known to that worker only: with several workers, or beside
 * Swift proxies, put the memcache filter before tempauth.
 */

import { CACHE_ENV_KEY } from "../memcache.ts";

/** What tempauth needs of `swift.cache`; MemcacheRing has it. */
export interface TokenCache {
  /** The value at `key`, or null/undefined when absent (or memcached is unreachable). */
  get(key: string): Promise<unknown>;
  /** Stores `value` as JSON for `time` seconds; with raiseOnError, throws when nothing stored. */
  set(
    key: string,
    value: unknown,
    options?: { readonly time?: number; readonly raiseOnError?: boolean },
  ): Promise<void>;
}

/** A token's cache entry: when it expires (seconds since the epoch) and the user's groups. */
export interface TokenEntry {
  readonly expires: number;
  readonly groups: string;
}

/** memcached's rule: a time up to 30 days is relative, above it an absolute epoch time. */
const RELATIVE_LIMIT = 30 * 24 * 60 * 60;

/** How many entries LocalTokenCache holds before it sweeps out the expired ones. */
const SWEEP_AT = 4096;

/**
 * An in-process stand-in for memcached: JSON values with memcached's expiry rule, so tempauth
 * behaves the same with or without the memcache filter (apart from sharing).
 */
export class LocalTokenCache implements TokenCache {
  readonly #entries = new Map<string, { json: string; until: number }>();
  readonly #clock: () => number;
  #sweepAt = SWEEP_AT;

  /** `clock` gives seconds since the epoch (tests move it). */
  constructor(clock: () => number = () => Date.now() / 1000) {
    this.#clock = clock;
  }

  /** The value at `key`, or undefined once absent or expired. */
  get(key: string): Promise<unknown> {
    const entry = this.#entries.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.until <= this.#clock()) {
      this.#entries.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.json));
  }

  /** Stores a JSON copy of `value` for `time` seconds (0: until the worker stops). */
  set(key: string, value: unknown, options: { readonly time?: number } = {}): Promise<void> {
    const now = this.#clock();
    const time = Math.trunc(options.time ?? 0);
    const until = time <= 0 ? Infinity : time > RELATIVE_LIMIT ? time : now + time;
    this.#entries.set(key, { json: JSON.stringify(value), until });
    if (this.#entries.size >= this.#sweepAt) {
      // Each user has one live token; expired ones pile up only until the next sweep.
      for (const [k, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(k);
      this.#sweepAt = Math.max(SWEEP_AT, this.#entries.size * 2);
    }
    return Promise.resolve();
  }
}

/** The cache tempauth uses for a request: `swift.cache` when set, else the worker's own. */
export function tokenCacheOf(env: Record<string, unknown>, local: TokenCache): TokenCache {
  return (env[CACHE_ENV_KEY] as TokenCache | undefined) ?? local;
}

/**
 * get_groups()' cache read: the entry stored for `token`. A value that is not
 * `[number, string]` was not written by tempauth; Swift's unpacking would raise, so this
 * throws too (a 500) rather than trusting it.
 */
export async function readTokenEntry(
  cache: TokenCache,
  prefix: string,
  token: string,
): Promise<TokenEntry | undefined> {
  const data = await cache.get(`${prefix}/token/${token}`);
  if (!truthy(data)) return undefined;
  if (
    !Array.isArray(data) || data.length !== 2 || typeof data[0] !== "number" ||
    typeof data[1] !== "string"
  ) {
    throw new TypeError(`Token entry "${prefix}/token/${token}" is not [expires, groups]`);
  }
  return { expires: data[0], groups: data[1] };
}

/** Python's truth value of what the cache returned. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value) || typeof value === "string") return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}
