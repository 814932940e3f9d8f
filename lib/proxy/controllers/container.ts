/**
 * ContainerController (swift/proxy/controllers/container.py): HEAD/GET (listings fetched as
 * JSON with states=listing), PUT with X-Storage-Policy (by name or alias; 400 for unknown or
 * deprecated ones), POST, DELETE; each write names the account's nodes so container servers
 * update the account listing.
 */
import { constrainReqLimit, getParam } from "../../common/query_params.ts";
import { Timestamp } from "../../common/timestamp.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { SwobError } from "../../object/swob_status.ts";
import type { RingNode } from "../../ring/ring.ts";
import { generateRequestHeaders, type TransferRule } from "../backend.ts";
import { authorize, isSwiftOwner, type ProxyCall } from "../call.ts";
import { checkMetadata } from "../check_metadata.ts";
import { corsValidation, optionsAction, publishedMethods } from "../cors.ts";
import { clearInfoCache, setInfoCache } from "../info_cache.ts";
import { makeRequests } from "../make_requests.ts";
import {
  accountInfo,
  autocreateAccount,
  containerInfo,
  type Controller,
  getOrHeadBase,
  listingQuery,
  nameLengthLimit,
  type Target,
} from "./base.ts";

const CONTAINER_TRANSFER: TransferRule = {
  serverType: "container",
  passThrough: [
    "x-container-read",
    "x-container-write",
    "x-container-sync-key",
    "x-container-sync-to",
    "x-versions-location",
  ],
  removeHeaders: [
    "x-remove-container-read",
    "x-remove-container-write",
    "x-remove-versions-location",
    "x-remove-container-sync-key",
    "x-remove-container-sync-to",
  ],
};

const LISTING_PARAMS = [
  "marker",
  "end_marker",
  "prefix",
  "delimiter",
  "path",
  "format",
  "reverse",
  "states",
  "includes",
];

/** The container controller for `target`. */
export function containerController(target: Target): Controller {
  const cors = { account: target.account, container: target.container! };
  const run = (fn: (call: ProxyCall, target: Target) => Promise<Response>, delay: boolean) =>
    corsValidation(cors, { run: (call: ProxyCall) => fn(call, target), delayDenial: delay });
  const table: Controller = {
    GET: run(containerGet, true),
    HEAD: run(containerGetOrHead, true),
    PUT: run(containerPut, false),
    POST: run(containerPost, false),
    DELETE: run(containerDelete, false),
    OPTIONS: optionsAction(cors, () => publishedMethods(table)),
  };
  return table;
}

async function containerGet(call: ProxyCall, target: Target): Promise<Response> {
  // validate_container_params(): every listing parameter must be UTF-8, limit in bounds.
  for (const name of LISTING_PARAMS) getParam(call.params, name);
  constrainReqLimit(call.params, call.app.swiftConf.constraints.containerListingLimit);
  return await containerGetOrHead(call, target);
}

async function containerGetOrHead(call: ProxyCall, target: Target): Promise<Response> {
  const { app } = call;
  const account = target.account;
  const container = target.container!;
  const exists = await accountInfo(call, account);
  if (!account.startsWith(app.settings.autoCreateAccountPrefix) && exists === undefined) {
    // Not cached: the missing account is, and that is enough.
    return await authorize(call) ?? swobResponse(call.req, { status: 404 });
  }
  const extra: Record<string, string> = { format: "json" };
  if (!call.req.headers.get("X-Backend-Record-Type")) {
    call.req.headers.set("X-Backend-Record-Type", "auto");
    extra.states = "listing";
  }
  const response = await getOrHeadBase(call, {
    serverType: "Container",
    ring: app.containerRing,
    partition: app.containerRing.getPart(account, container),
    path: target.entityPath,
    query: listingQuery(call, extra),
  });
  response.headers.set(
    "X-Backend-Recheck-Container-Existence",
    String(app.settings.recheckContainerExistence),
  );
  await setInfoCache(call.ctx, { account, container }, response, app.swiftConf.policies);
  call.acl = response.headers.get("X-Container-Read") ?? undefined;
  const denied = await authorize(call);
  if (denied) {
    await response.body?.cancel();
    return denied;
  }
  if (!isSwiftOwner(call)) {
    for (const name of app.settings.swiftOwnerHeaders) response.headers.delete(name);
  }
  if (call.ctx.env["reseller_request"] === true) {
    const sharding = response.headers.get("X-Container-Sysmeta-Sharding") ?? "False";
    response.headers.set(
      "X-Container-Sharding",
      ["true", "1", "yes", "on", "t", "y"].includes(sharding.toLowerCase()) ? "True" : "False",
    );
  }
  return response;
}

/** clean_acls(): lets auth middleware (`swift.clean_acl`) normalize the container ACLs. */
function cleanAcls(call: ProxyCall): void {
  const clean = call.ctx.env["swift.clean_acl"] as
    | ((header: string, value: string) => string)
    | undefined;
  if (typeof clean !== "function") return;
  for (const header of ["x-container-read", "x-container-write"]) {
    const value = call.req.headers.get(header);
    if (value === undefined) continue;
    try {
      call.req.headers.set(header, clean(header, value));
    } catch (err) {
      throw new SwobError(400, { body: (err as Error).message });
    }
  }
}

/** _convert_policy_to_index(): X-Storage-Policy by name or alias. */
function policyIndexOf(call: ProxyCall): number | undefined {
  const name = call.req.headers.get("X-Storage-Policy");
  if (!name) return undefined;
  const policy = call.app.swiftConf.policies.byName(name);
  if (!policy) {
    throw new SwobError(400, {
      body: `Invalid X-Storage-Policy '${name}'`,
      contentType: "text/plain",
    });
  }
  if (policy.isDeprecated) {
    throw new SwobError(400, { body: `Storage Policy '${policy.name}' is deprecated` });
  }
  return policy.index;
}

function stripOwnerAndSharding(call: ProxyCall): void {
  if (!isSwiftOwner(call)) {
    for (const name of call.app.settings.swiftOwnerHeaders) call.req.headers.delete(name);
  }
  const sharding = call.req.headers.get("X-Container-Sharding");
  if (call.ctx.env["reseller_request"] === true && sharding !== undefined) {
    const on = ["true", "1", "yes", "on", "t", "y"].includes(sharding.toLowerCase());
    call.req.headers.set("X-Container-Sysmeta-Sharding", on ? "True" : "False");
  }
}

async function containerPut(call: ProxyCall, target: Target): Promise<Response> {
  const { app } = call;
  const { account } = target;
  const container = target.container!;
  cleanAcls(call);
  checkMetadata(call.req, "container", app.swiftConf.constraints);
  const policyIndex = policyIndexOf(call);
  stripOwnerAndSharding(call);
  const limit = nameLengthLimit(call, account, app.swiftConf.constraints.maxContainerNameLength);
  const length = [...container].length;
  if (length > limit) {
    // Swift's plain HTTPBadRequest here, so swob's default text/html Content-Type.
    throw new SwobError(400, { body: `Container name length of ${length} longer than ${limit}` });
  }
  let info = await accountInfo(call, account);
  if (info === undefined && app.settings.accountAutocreate) {
    if (!await autocreateAccount(call, account)) return swobResponse(call.req, { status: 503 });
    info = await accountInfo(call, account);
  }
  if (info === undefined) return swobResponse(call.req, { status: 404 });
  const max = app.settings.maxContainersPerAccount;
  if (
    max > 0 && info.containerCount >= max && !app.settings.maxContainersWhitelist.includes(account)
  ) {
    const existing = await containerInfo(call, account, container);
    const status = existing.status as number;
    if (!(status >= 200 && status < 300)) {
      throw new SwobError(403, { body: `Reached container limit of ${max}` });
    }
  }
  const { part, nodes } = app.containerRing.getNodes(account, container);
  const headers = backendRequests(call, nodes.length, info, policyIndex);
  const response = await makeRequests(call, {
    ring: app.containerRing,
    partition: part,
    method: "PUT",
    path: target.entityPath,
    headers,
    serverType: "Container",
  });
  await clearInfoCache(call.ctx, account, container);
  return response;
}

async function containerPost(call: ProxyCall, target: Target): Promise<Response> {
  const { app } = call;
  const container = target.container!;
  cleanAcls(call);
  checkMetadata(call.req, "container", app.swiftConf.constraints);
  stripOwnerAndSharding(call);
  if (await accountInfo(call, target.account) === undefined) {
    return swobResponse(call.req, { status: 404 });
  }
  const { part, nodes } = app.containerRing.getNodes(target.account, container);
  const headers = generateRequestHeaders(call, { transfer: CONTAINER_TRANSFER });
  await clearInfoCache(call.ctx, target.account, container);
  return await makeRequests(call, {
    ring: app.containerRing,
    partition: part,
    method: "POST",
    path: target.entityPath,
    headers: nodes.map(() => new Headers(headers)),
    serverType: "Container",
  });
}

async function containerDelete(call: ProxyCall, target: Target): Promise<Response> {
  const { app } = call;
  const container = target.container!;
  const info = await accountInfo(call, target.account);
  if (info === undefined) return swobResponse(call.req, { status: 404 });
  const { part, nodes } = app.containerRing.getNodes(target.account, container);
  const headers = backendRequests(call, nodes.length, info, undefined);
  await clearInfoCache(call.ctx, target.account, container);
  const response = await makeRequests(call, {
    ring: app.containerRing,
    partition: part,
    method: "DELETE",
    path: target.entityPath,
    headers,
    serverType: "Container",
  });
  // 202 means no container server had the container.
  if (response.status === 202) {
    await response.body?.cancel();
    return swobResponse(call.req, { status: 404 });
  }
  return response;
}

/** _backend_requests(): one header set per container node, the account nodes spread over them. */
function backendRequests(
  call: ProxyCall,
  outgoing: number,
  account: { partition: number; nodes: RingNode[] },
  policyIndex: number | undefined,
): Headers[] {
  const additional: [string, string][] = [["X-Timestamp", Timestamp.now().internal]];
  if (policyIndex === undefined) {
    additional.push([
      "X-Backend-Storage-Policy-Default",
      String(call.app.swiftConf.policies.default.index),
    ]);
  } else {
    additional.push(["X-Backend-Storage-Policy-Index", String(policyIndex)]);
  }
  const headers = Array.from(
    { length: outgoing },
    () => generateRequestHeaders(call, { additional, transfer: CONTAINER_TRANSFER }),
  );
  account.nodes.forEach((node, i) => {
    const h = headers[i % headers.length];
    h.set("X-Account-Partition", String(account.partition));
    h.set("X-Account-Host", csvAppend(h.get("X-Account-Host"), `${node.ip}:${node.port}`));
    h.set("X-Account-Device", csvAppend(h.get("X-Account-Device"), node.device));
  });
  return headers;
}

/** csv_append(). */
export function csvAppend(existing: string | null, value: string): string {
  return existing ? `${existing},${value}` : value;
}
