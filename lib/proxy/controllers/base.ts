/**
 * What every controller shares (swift/proxy/controllers/base.py Controller): the method
 * table, account and container info with their nodes, account autocreation, and the GET/HEAD
 * walk over a partition's nodes.
 */
import { Timestamp } from "../../common/timestamp.ts";
import type { RingNode } from "../../ring/ring.ts";
import { clientQuery, generateRequestHeaders, urlencode } from "../backend.ts";
import type { ProxyCall } from "../call.ts";
import { GetOrHeadHandler } from "../get_or_head.ts";
import { getAccountInfo, getContainerInfo, type InfoLookup } from "../get_info.ts";
import { clearInfoCache, type Info } from "../info_cache.ts";
import { makeRequests } from "../make_requests.ts";
import { NodeIter } from "../node_iter.ts";
import type { Ring } from "../../ring/ring.ts";

/** The HTTP methods Swift's controllers publish. */
export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "DELETE" | "OPTIONS";

/** One public method of a controller. */
export interface Action {
  readonly run: (call: ProxyCall) => Promise<Response>;
  /**
   * Swift's @delay_denial: a swift.authorize denial before the call is not final; the action
   * asks again once it knows the ACL.
   */
  readonly delayDenial: boolean;
}

/** A controller: its public methods for one request's target. */
export type Controller = Readonly<Partial<Record<HttpMethod, Action>>>;

/** The names a request addresses, as native strings. */
export interface Target {
  readonly version: string;
  readonly account: string;
  readonly container?: string;
  readonly object?: string;
  /** swift_entity_path: "/a", "/a/c" or "/a/c/o" as WSGI strings (what backends get). */
  readonly entityPath: string;
}

/** How info lookups of `call` go: through the proxy itself, as Swift's get_info(app=self.app). */
export function infoLookup(call: ProxyCall): InfoLookup {
  return {
    handler: call.app.handler,
    ctx: call.ctx,
    req: call.req.raw,
    policies: call.app.swiftConf.policies,
    autoCreateAccountPrefix: call.app.settings.autoCreateAccountPrefix,
  };
}

/** Controller.account_info(): the account's nodes and container count, if it exists. */
export async function accountInfo(
  call: ProxyCall,
  account: string,
): Promise<{ partition: number; nodes: RingNode[]; containerCount: number } | undefined> {
  const info = await getAccountInfo(infoLookup(call), account);
  const status = info.status as number;
  if (!(status >= 200 && status < 300) || info.account_really_exists === false) return undefined;
  const { part, nodes } = call.app.accountRing.getNodes(account);
  return { partition: part, nodes, containerCount: info.container_count as number };
}

/** Container info plus where the container lives (partition and nodes, null if missing). */
export type ContainerInfo = Info & {
  readonly partition: number | null;
  readonly nodes: RingNode[] | null;
};

/** Controller.container_info(): the container's info and nodes (null when it does not exist). */
export async function containerInfo(
  call: ProxyCall,
  account: string,
  container: string,
): Promise<ContainerInfo> {
  const info = await getContainerInfo(infoLookup(call), account, container);
  const status = info.status as number;
  if (!(status >= 200 && status < 300)) {
    return {
      ...(await getContainerInfoDefaults()),
      partition: null,
      nodes: null,
    };
  }
  const { part, nodes } = call.app.containerRing.getNodes(account, container);
  return { ...info, partition: part, nodes };
}

// headers_to_container_info({}, 0) after get_container_info's int conversions.
function getContainerInfoDefaults(): Info {
  return {
    status: 0,
    read_acl: null,
    write_acl: null,
    sync_to: null,
    sync_key: null,
    object_count: 0,
    bytes: 0,
    versions: null,
    storage_policy: 0,
    cors: { allow_origin: null, expose_headers: null, max_age: null },
    meta: {},
    sysmeta: {},
    sharding_state: "unsharded",
    created_at: null,
    put_timestamp: null,
    delete_timestamp: null,
    status_changed_at: null,
  };
}

/** Controller.autocreate_account(): PUTs the account on its primaries; true on success. */
export async function autocreateAccount(call: ProxyCall, account: string): Promise<boolean> {
  const { app } = call;
  const { part, nodes } = app.accountRing.getNodes(account);
  const headers = new Headers({
    "X-Timestamp": Timestamp.now().internal,
    "X-Trans-Id": call.txnId,
    "X-Openstack-Request-Id": call.txnId,
    "User-Agent": app.backendUserAgent,
  });
  for (const [name, value] of call.req.headers.entries()) {
    if (name.toLowerCase().startsWith("x-account-sysmeta-")) headers.set(name, value);
  }
  const response = await makeRequests(call, {
    ring: app.accountRing,
    partition: part,
    method: "PUT",
    path: `/${account}`,
    headers: nodes.map(() => new Headers(headers)),
    serverType: "Account",
  });
  await response.body?.cancel();
  const path = `'/${account}'`;
  if (response.status >= 200 && response.status < 300) {
    call.ctx.logger.info(`autocreate account ${path}`);
    await clearInfoCache(call.ctx, account);
    return true;
  }
  call.ctx.logger.warning(`Could not autocreate account ${path}`);
  return false;
}

/** get_name_length_limit(): accounts under the auto-create prefix get twice the length. */
export function nameLengthLimit(call: ProxyCall, account: string, limit: number): number {
  return account.startsWith(call.app.settings.autoCreateAccountPrefix) ? limit * 2 : limit;
}

/** The query the listing controllers send: the client's params with format=json added. */
export function listingQuery(call: ProxyCall, extra: Record<string, string> = {}): string {
  for (const [name, value] of Object.entries(extra)) call.params.set(name, value);
  return urlencode(call.params);
}

/**
 * GETorHEAD_base(): walks the partition's nodes for a GET or HEAD and translates the
 * backend's policy index into X-Storage-Policy.
 */
export async function getOrHeadBase(
  call: ProxyCall,
  options: {
    serverType: string;
    ring: Ring;
    partition: number;
    path: string;
    query?: string;
    nodes?: NodeIter;
  },
): Promise<Response> {
  const headers = generateRequestHeaders(call, { additional: call.req.headers.entries() });
  const handler = new GetOrHeadHandler(call, {
    serverType: options.serverType,
    nodes: options.nodes ??
      new NodeIter(call.app, options.ring, options.partition, { logger: call.ctx.logger }),
    partition: options.partition,
    path: options.path,
    query: options.query ?? clientQuery(call.req),
    headers,
  });
  const response = await handler.response();
  const index = response.headers.get("X-Backend-Storage-Policy-Index");
  if (index !== null && response.status >= 200 && response.status < 300) {
    const policy = call.app.swiftConf.policies.get(index);
    if (policy) {
      response.headers.set("X-Storage-Policy", policy.name);
    } else {
      call.ctx.logger.error(
        `Could not translate X-Backend-Storage-Policy-Index ('${index}') from ` +
          `'${options.path}' to policy`,
      );
    }
  }
  return response;
}

/** The headers of a response, for replacing its status or body while keeping them. */
export function withStatus(response: Response, status: number, body?: BodyInit | null): Response {
  return new Response(body === undefined ? response.body : body, {
    status,
    headers: response.headers,
  });
}
