/**
 * get_account_info() and get_container_info() (swift/proxy/controllers/base.py): info from
 * swift.infocache or memcached, else from a pre-authorized HEAD sent through `handler` (the
 * proxy itself, or the rest of the pipeline when middleware asks), which fills the caches.
 * "Pre-authorized": the subrequest carries `swift.authorize` allowing everything and
 * `swift_owner`, as make_pre_authed_env() sets them, so ACLs and owner headers are seen.
 */
import type { StoragePolicies } from "../common/storage_policy.ts";
import type { Handler } from "../middleware/compose.ts";
import { pyQuote } from "../object/wsgi_text.ts";
import type { RequestContext } from "../server/context.ts";
import { AUTHORIZE_KEY } from "./call.ts";
import {
  headersToAccountInfo,
  headersToContainerInfo,
  type Info,
  infocache,
  infoCacheKey,
  infoFromCaches,
  setInfoCache,
} from "./info_cache.ts";

/** What an info lookup needs besides the names. */
export interface InfoLookup {
  /** Serves the HEAD subrequest on a cache miss. */
  readonly handler: Handler;
  readonly ctx: RequestContext;
  /** The client request the lookup is for (its URL origin, Host, User-Agent...). */
  readonly req: Request;
  readonly policies: StoragePolicies;
  /** Accounts starting with it are assumed to exist (auto_create_account_prefix). */
  readonly autoCreateAccountPrefix: string;
  /** Logged as swift.source of the subrequest. */
  readonly swiftSource?: string;
}

/** Environ keys a subrequest inherits (make_env()). */
const INHERITED = ["swift.cache", "swift.source", "swift.trans_id", "swift.infocache"];
/** Headers a subrequest inherits (make_env()'s HTTP_* keys). */
const INHERITED_HEADERS = ["Host", "Referer", "X-User-Id", "X-Project-Id"];

/** A pre-authorized HEAD of `path` (a native, unquoted "/v1/a[/c]") through the handler. */
async function headSubrequest(lookup: InfoLookup, path: string): Promise<Response> {
  const { ctx, req } = lookup;
  infocache(ctx);
  const env: Record<string, unknown> = {};
  for (const key of INHERITED) if (key in ctx.env) env[key] = ctx.env[key];
  env[AUTHORIZE_KEY] = () => undefined;
  env["swift.authorize_override"] = true;
  env["swift_owner"] = true;
  env["swift.source"] = lookup.swiftSource ?? env["swift.source"];
  const headers = new Headers({
    "User-Agent": "Swift",
    "X-Backend-Allow-Reserved-Names": "true",
  });
  for (const name of INHERITED_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const sub = new Request(new URL(pyQuote(path), req.url), { method: "HEAD", headers });
  const subCtx: RequestContext = {
    logger: ctx.logger,
    txnId: ctx.txnId,
    remoteAddr: ctx.remoteAddr,
    startTime: Date.now(),
    env,
  };
  const response = await lookup.handler(sub, subCtx);
  await response.body?.cancel();
  return response;
}

/**
 * A deep copy of JSON data (what info dicts hold, from headers or memcached): callers may
 * change what they get without changing the cached dict. structuredClone() cost more than
 * the rest of a cached lookup, which runs for every object request of the versioning filters.
 */
function copyJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = copyJson((value as Record<string, unknown>)[key]);
  }
  return out as T;
}

function withInts(info: Info, fields: readonly string[]): Info {
  const copy: Info = copyJson(info);
  for (const field of fields) {
    const value = copy[field];
    copy[field] = value === null || value === undefined ? 0 : Number.parseInt(String(value), 10);
  }
  return copy;
}

/** get_account_info(): the account's info; status 0 or 503 when it could not be had. */
export async function getAccountInfo(lookup: InfoLookup, account: string): Promise<Info> {
  let info = await infoFromCaches(lookup.ctx, account);
  if (info === undefined) {
    const response = await headSubrequest(lookup, `/v1/${account}`);
    info = infocache(lookup.ctx)[infoCacheKey(account)] ??
      await setInfoCache(lookup.ctx, { account }, response, lookup.policies);
  }
  info ??= headersToAccountInfo([], 503, lookup.policies);
  return withInts(info, ["container_count", "bytes", "total_object_count"]);
}

/** get_container_info(): the container's info; status 0 when its account is missing. */
export async function getContainerInfo(
  lookup: InfoLookup,
  account: string,
  container: string,
): Promise<Info> {
  let info = await infoFromCaches(lookup.ctx, account, container);
  if (info === undefined) {
    // An autocreated account answers every HEAD with 2xx, so asking would prove nothing.
    if (!account.startsWith(lookup.autoCreateAccountPrefix)) {
      const accountInfo = await getAccountInfo(lookup, account);
      const status = accountInfo.status as number;
      if (!(status >= 200 && status < 300)) return containerDefaults(headersToContainerInfo([], 0));
    }
    const response = await headSubrequest(lookup, `/v1/${account}/${container}`);
    info = infocache(lookup.ctx)[infoCacheKey(account, container)] ??
      await setInfoCache(lookup.ctx, { account, container }, response, lookup.policies);
  }
  info ??= headersToContainerInfo([], 503);
  // Memcached entries from before Swift renamed container_size.
  if (!("object_count" in info) && "container_size" in info) {
    info = { ...info, object_count: info.container_size };
    delete info.container_size;
  }
  return containerDefaults(info);
}

function containerDefaults(info: Info): Info {
  const out = withInts(info, ["storage_policy", "bytes", "object_count"]);
  if (out.sharding_state === null || out.sharding_state === undefined) {
    out.sharding_state = "unsharded";
  }
  return out;
}
