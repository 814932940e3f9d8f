/**
 * Account and container info as Swift's proxy caches it (swift/proxy/controllers/base.py):
 * the dicts headers_to_account_info() and headers_to_container_info() build from a HEAD or
 * GET response, kept per request in `swift.infocache` and across requests in memcached under
 * `account/<a>` and `container/<a>/<c>`, with Swift's JSON shape and recheck times, so a Swift
 * proxy sharing the memcached servers reads what swiftd wrote and the other way round.
 */
import type { StoragePolicies } from "../common/storage_policy.ts";
import type { RequestContext } from "../server/context.ts";

/** The environ key of the per-request info cache. */
export const INFOCACHE_KEY = "swift.infocache";
/** The environ key of the memcached client (the memcache middleware sets it). */
export const CACHE_KEY = "swift.cache";

/** A cached info dict: JSON values only, as memcached hands them back. */
export type Info = Record<string, unknown>;

/** The part of MemcacheRing the proxy uses. */
export interface InfoMemcache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, options?: { time?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** get_cache_key(account, container): "account/a" or "container/a/c". */
export function infoCacheKey(account: string, container?: string): string {
  return container ? `container/${account}/${container}` : `account/${account}`;
}

/** swift.infocache of the request, created if missing. */
export function infocache(ctx: RequestContext): Record<string, Info> {
  let cache = ctx.env[INFOCACHE_KEY] as Record<string, Info> | undefined;
  if (cache === undefined) {
    cache = {};
    ctx.env[INFOCACHE_KEY] = cache;
  }
  return cache;
}

/** cache_from_env(env, True): the memcached client, if the pipeline has one. */
export function memcacheOf(ctx: RequestContext): InfoMemcache | undefined {
  const cache = ctx.env[CACHE_KEY] as InfoMemcache | undefined;
  return cache && typeof cache.get === "function" ? cache : undefined;
}

/** WSGI header string -> native string: latin-1 bytes read as UTF-8 (wsgi_to_str()). */
function nativeText(wsgi: string): string {
  const bytes = Uint8Array.from(wsgi, (c) => c.charCodeAt(0) & 0xff);
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

/** _prep_headers_to_info(): lower-cased headers split into meta, sysmeta and the rest. */
function prepHeaders(
  headers: Iterable<readonly [string, string]>,
  serverType: string,
): { other: Map<string, string>; meta: Record<string, string>; sysmeta: Record<string, string> } {
  const other = new Map<string, string>();
  const meta: Record<string, string> = {};
  const sysmeta: Record<string, string> = {};
  const userPrefix = `x-${serverType}-meta-`;
  const sysPrefix = `x-${serverType}-sysmeta-`;
  // dict(headers): the last of repeated names wins.
  for (const [name, value] of headers) {
    const key = nativeText(name).toLowerCase();
    const text = nativeText(value);
    if (key.startsWith(userPrefix)) meta[key.slice(userPrefix.length)] = text;
    else if (key.startsWith(sysPrefix)) sysmeta[key.slice(sysPrefix.length)] = text;
    else other.set(key, text);
  }
  return { other, meta, sysmeta };
}

function pyIntOr0(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value.trim());
  return Number.isInteger(n) ? n : 0;
}

function config_true(value: string | undefined): boolean {
  return ["true", "1", "yes", "on", "t", "y"].includes((value ?? "").toLowerCase());
}

/** headers_to_account_info(). */
export function headersToAccountInfo(
  headers: Iterable<readonly [string, string]>,
  status: number,
  policies: StoragePolicies,
): Info {
  const { other, meta, sysmeta } = prepHeaders(headers, "account");
  const storagePolicies: Record<string, unknown> = {};
  for (const policy of policies) {
    // Swift formats the name into a lower-cased key as it is, so a name with capitals never
    // matches and counts 0; kept, so both proxies cache the same dict.
    const prefix = `x-account-storage-policy-${policy.name}`;
    storagePolicies[String(policy.index)] = {
      container_count: pyIntOr0(other.get(`${prefix}-container-count`)),
      object_count: pyIntOr0(other.get(`${prefix}-object-count`)),
      bytes: pyIntOr0(other.get(`${prefix}-bytes-used`)),
    };
  }
  const info: Info = {
    status,
    container_count: other.get("x-account-container-count") ?? null,
    total_object_count: other.get("x-account-object-count") ?? null,
    bytes: other.get("x-account-bytes-used") ?? null,
    storage_policies: storagePolicies,
    meta,
    sysmeta,
  };
  if (status >= 200 && status < 300) {
    info.account_really_exists = !config_true(other.get("x-backend-fake-account-listing"));
  }
  return info;
}

/** headers_to_container_info(). */
export function headersToContainerInfo(
  headers: Iterable<readonly [string, string]>,
  status: number,
): Info {
  const { other, meta, sysmeta } = prepHeaders(headers, "container");
  return {
    status,
    read_acl: other.get("x-container-read") ?? null,
    write_acl: other.get("x-container-write") ?? null,
    sync_to: other.get("x-container-sync-to") ?? null,
    sync_key: other.get("x-container-sync-key") ?? null,
    object_count: other.get("x-container-object-count") ?? null,
    bytes: other.get("x-container-bytes-used") ?? null,
    versions: other.get("x-versions-location") ?? null,
    storage_policy: other.get("x-backend-storage-policy-index") ?? "0",
    cors: {
      allow_origin: meta["access-control-allow-origin"] ?? null,
      expose_headers: meta["access-control-expose-headers"] ?? null,
      max_age: meta["access-control-max-age"] ?? null,
    },
    meta,
    sysmeta,
    sharding_state: other.get("x-backend-sharding-state") ?? "unsharded",
    created_at: other.get("x-backend-timestamp") ?? null,
    put_timestamp: other.get("x-backend-put-timestamp") ?? null,
    delete_timestamp: other.get("x-backend-delete-timestamp") ?? null,
    status_changed_at: other.get("x-backend-status-changed-at") ?? null,
  };
}

/**
 * set_info_cache(): caches the info of a HEAD/GET response (404 and 410 for a tenth of the
 * recheck time; other failures are not cached). Returns the info, or undefined.
 */
export async function setInfoCache(
  ctx: RequestContext,
  target: { account: string; container?: string },
  response: Response,
  policies: StoragePolicies,
): Promise<Info | undefined> {
  const key = infoCacheKey(target.account, target.container);
  const status = response.status;
  const recheck = response.headers.get(
    target.container
      ? "X-Backend-Recheck-Container-Existence"
      : "X-Backend-Recheck-Account-Existence",
  );
  let cacheTime = Number.parseInt(recheck ?? "60", 10);
  if (status === 404 || status === 410) cacheTime *= 0.1;
  else if (status < 200 || status >= 300) return undefined;
  const headers = [...response.headers];
  const info = target.container
    ? headersToContainerInfo(headers, status)
    : headersToAccountInfo(headers, status, policies);
  await memcacheOf(ctx)?.set(key, info, { time: cacheTime }).catch(() => {});
  infocache(ctx)[key] = info;
  return info;
}

/** clear_info_cache(). */
export async function clearInfoCache(
  ctx: RequestContext,
  account: string,
  container?: string,
): Promise<void> {
  const key = infoCacheKey(account, container);
  delete infocache(ctx)[key];
  await memcacheOf(ctx)?.delete(key).catch(() => {});
}

/** _get_info_from_caches(): swift.infocache, then memcached (copied into swift.infocache). */
export async function infoFromCaches(
  ctx: RequestContext,
  account: string,
  container?: string,
): Promise<Info | undefined> {
  const key = infoCacheKey(account, container);
  const local = infocache(ctx)[key];
  if (local !== undefined) return local;
  const memcache = memcacheOf(ctx);
  if (!memcache) return undefined;
  const cached = await memcache.get(key).catch(() => null);
  if (!cached || typeof cached !== "object") return undefined;
  infocache(ctx)[key] = cached as Info;
  return cached as Info;
}
