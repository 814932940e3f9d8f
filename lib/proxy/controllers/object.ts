/**
 * The object controller (swift/proxy/controllers/obj.py, replicated policies): GET/HEAD over
 * the object's primaries then handoffs, POST and DELETE to every primary with the container
 * update headers (X-Container-Host/-Device/-Partition) and the expirer queue's
 * (X-Delete-At-*); PUT lives in object_put.ts.
 */
import { checkDeleteHeaders, checkMetadata, normalizeDeleteAt } from "../../object/constraints.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { hashPath } from "../../ring/hash_path.ts";
import type { Ring } from "../../ring/ring.ts";
import type { RingNode } from "../../ring/ring.ts";
import { generateRequestHeaders } from "../backend.ts";
import { authorize, ensureXTimestamp, type ProxyCall } from "../call.ts";
import { corsValidation, optionsAction, publishedMethods } from "../cors.ts";
import { makeRequests } from "../make_requests.ts";
import { type Node, NodeIter } from "../node_iter.ts";
import { quorumSize } from "../quorum.ts";
import { isLocal } from "../settings.ts";
import { csvAppend } from "./container.ts";
import {
  type Action,
  type ContainerInfo,
  containerInfo,
  type Controller,
  getOrHeadBase,
  type Target,
} from "./base.ts";
import { objectPut } from "./object_put.ts";

/**
 * The object controller for `target`; every method but OPTIONS delays auth denials
 * (@delay_denial) and wears @cors_validation.
 */
export function objectController(target: Target): Controller {
  const cors = { account: target.account, container: target.container! };
  const run = (fn: (call: ProxyCall, target: Target) => Promise<Response>): Action =>
    corsValidation(cors, { run: (call) => fn(call, target), delayDenial: true });
  const table: Controller = {
    GET: run(objectGetOrHead),
    HEAD: run(objectGetOrHead),
    PUT: run(objectPut),
    POST: run(objectPost),
    DELETE: run(objectDelete),
    OPTIONS: optionsAction(cors, () => publishedMethods(table)),
  };
  return table;
}

/** The container's info and the object's policy index (the header, else the container's). */
export async function objectPlacement(
  call: ProxyCall,
  target: Target,
): Promise<{ info: ContainerInfo; policyIndex: string; ring: Ring }> {
  const info = await containerInfo(call, target.account, target.container!);
  const policyIndex = call.req.headers.get("X-Backend-Storage-Policy-Index") ??
    String(info.storage_policy);
  const ring = call.app.objectRing(policyIndex);
  call.req.headers.set("X-Backend-Storage-Policy-Index", policyIndex);
  if (ring.nextPartPower) {
    call.req.headers.set("X-Backend-Next-Part-Power", String(ring.nextPartPower));
  }
  return { info, policyIndex, ring };
}

async function objectGetOrHead(call: ProxyCall, target: Target): Promise<Response> {
  const { info, ring } = await objectPlacement(call, target);
  call.acl = (info.read_acl as string | null) ?? undefined;
  const denied = await authorize(call);
  if (denied) return denied;
  const partition = ring.getPart(target.account, target.container!, target.object!);
  const response = await getOrHeadBase(call, {
    serverType: "Object",
    ring,
    partition,
    path: target.entityPath,
  });
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes(";")) response.headers.set("Content-Type", cleanContentType(type));
  return response;
}

/** clean_content_type(): drops a trailing swift_bytes parameter (large-object listings). */
function cleanContentType(value: string): string {
  const at = value.lastIndexOf(";");
  return value.slice(at + 1).trimStart().startsWith("swift_bytes=") ? value.slice(0, at) : value;
}

/** Where an object write tells the expirer about X-Delete-At. */
export interface DeleteAtTarget {
  readonly container: string;
  readonly partition: number;
  readonly nodes: RingNode[];
}

/** _config_obj_expiration(): checks X-Delete-At/-After and finds the expirer queue container. */
export function configObjExpiration(call: ProxyCall, target: Target): DeleteAtTarget | undefined {
  checkDeleteHeaders(call.req);
  const raw = call.req.headers.get("X-Delete-At");
  if (raw === undefined) return undefined;
  const deleteAt = Number(normalizeDeleteAt(Number(raw)));
  call.req.headers.set("X-Delete-At", normalizeDeleteAt(deleteAt));
  const logInfo = (call.ctx.env["swift.log_info"] ??= []) as string[];
  logInfo.push(`x-delete-at:${deleteAt}`);
  const { app } = call;
  const divisor = app.settings.expiringObjectsContainerDivisor;
  const hash = hashPath(target.account, target.container, target.object, {
    prefix: app.swiftConf.hashPath.prefix,
    suffix: app.swiftConf.hashPath.suffix,
  });
  const shard = Number(BigInt(`0x${hash}`) % 100n);
  const container = normalizeDeleteAt(Math.floor(deleteAt / divisor) * divisor - shard);
  const { part, nodes } = app.containerRing.getNodes(
    app.settings.expiringObjectsAccount,
    container,
  );
  return { container, partition: part, nodes };
}

/** num_container_updates(): enough updates that a successful PUT's update is durable. */
function numContainerUpdates(rc: number, qc: number, ro: number, qo: number): number {
  return Math.max(qc + ro - qo, rc);
}

/**
 * _backend_requests(): the client's headers for each object node, with the container nodes
 * (and the expirer queue's) spread over them so every container replica hears of the write.
 */
export function objectBackendRequests(
  call: ProxyCall,
  options: {
    outgoing: number;
    info: ContainerInfo;
    objectRing: Ring;
    deleteAt?: DeleteAtTarget;
  },
): Headers[] {
  const { outgoing, info, deleteAt } = options;
  const headers = Array.from(
    { length: outgoing },
    () => generateRequestHeaders(call, { additional: call.req.headers.entries() }),
  );
  const containers = info.nodes ?? [];
  const updates = numContainerUpdates(
    containers.length,
    quorumSize(containers.length),
    outgoing,
    quorumSize(Math.floor(options.objectRing.replicaCount)),
  );
  for (let i = 0; i < updates && containers.length > 0; i++) {
    const h = headers[i % outgoing];
    const container = containers[i % containers.length];
    h.set("X-Container-Partition", String(info.partition));
    h.set(
      "X-Container-Host",
      csvAppend(h.get("X-Container-Host"), `${container.ip}:${container.port}`),
    );
    h.set("X-Container-Device", csvAppend(h.get("X-Container-Device"), container.device));
    if (deleteAt && deleteAt.nodes.length > 0) {
      // Reversed, so the expirer updates land on other object nodes than container updates.
      const d = headers[outgoing - 1 - (i % outgoing)];
      const node = deleteAt.nodes[i % deleteAt.nodes.length];
      d.set("X-Delete-At-Container", deleteAt.container);
      d.set("X-Delete-At-Partition", String(deleteAt.partition));
      d.set("X-Delete-At-Host", csvAppend(d.get("X-Delete-At-Host"), `${node.ip}:${node.port}`));
      d.set("X-Delete-At-Device", csvAppend(d.get("X-Delete-At-Device"), node.device));
    }
  }
  // Two expirer-queue cleanups are enough; each costs container-server work.
  headers.forEach((h, i) => {
    if (!h.has("X-Backend-Clean-Expiring-Object-Queue")) {
      h.set("X-Backend-Clean-Expiring-Object-Queue", i < 2 ? "t" : "f");
    }
  });
  return headers;
}

/**
 * iter_nodes_local_first(): with write_affinity, local nodes (primaries or handoffs) first,
 * then the rest; without it, the usual node order.
 */
export function nodesLocalFirst(
  call: ProxyCall,
  ring: Ring,
  partition: number,
  localHandoffsFirst = false,
): NodeIter {
  const { app } = call;
  const affinity = app.settings.writeAffinity;
  const logger = call.ctx.logger;
  if (affinity.length === 0) return new NodeIter(app, ring, partition, { logger });
  const local = (node: Node) => isLocal(affinity, node);
  const primaries: Node[] = ring.getPartNodes(partition);
  let preferred: Node[];
  if (localHandoffsFirst) {
    const count = app.settings.writeAffinityHandoffDeleteCount ??
      primaries.length - primaries.filter(local).length;
    preferred = [...primaries, ...take(filter(ring.getMoreNodes(partition), local), count)];
  } else {
    const count = app.settings.writeAffinityNodeCount(primaries.length);
    preferred = take(filter(chain<Node>(primaries, ring.getMoreNodes(partition)), local), count);
  }
  const ids = new Set(preferred.map((n) => n.id));
  const rest = filter(chain<Node>(primaries, ring.getMoreNodes(partition)), (n) => !ids.has(n.id));
  return new NodeIter(app, ring, partition, { logger, nodes: chain(preferred, rest) });
}

function* chain<T>(a: Iterable<T>, b: Iterable<T>): Generator<T> {
  yield* a;
  yield* b;
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
}

function take<T>(items: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= count) break;
  }
  return out;
}

async function objectPost(call: ProxyCall, target: Target): Promise<Response> {
  const { info, ring } = await objectPlacement(call, target);
  call.acl = (info.write_acl as string | null) ?? undefined;
  const denied = await authorize(call);
  if (denied) return denied;
  if (!info.nodes) return swobResponse(call.req, { status: 404 });
  checkMetadata(call.req, call.app.swiftConf.constraints);
  ensureXTimestamp(call.req);
  const deleteAt = configObjExpiration(call, target);
  const { part, nodes } = ring.getNodes(target.account, target.container!, target.object!);
  const headers = objectBackendRequests(call, {
    outgoing: nodes.length,
    info,
    objectRing: ring,
    deleteAt,
  });
  return await makeRequests(call, {
    ring,
    partition: part,
    method: "POST",
    path: target.entityPath,
    headers,
    serverType: "Object",
  });
}

async function objectDelete(call: ProxyCall, target: Target): Promise<Response> {
  const { info, ring } = await objectPlacement(call, target);
  call.acl = (info.write_acl as string | null) ?? undefined;
  call.ctx.env["swift_sync_key"] = info.sync_key;
  const denied = await authorize(call);
  if (denied) return denied;
  if (!info.nodes) return swobResponse(call.req, { status: 404 });
  const { part, nodes } = ring.getNodes(target.account, target.container!, target.object!);
  ensureXTimestamp(call.req);
  let nodeCount = nodes.length;
  let nodeIter: NodeIter | undefined;
  const affinity = call.app.settings.writeAffinity;
  if (affinity.length > 0) {
    // Local handoffs may hold a copy written under write affinity; they get the DELETE too.
    nodeCount += call.app.settings.writeAffinityHandoffDeleteCount ??
      nodes.length - nodes.filter((n) => isLocal(affinity, n)).length;
    nodeIter = nodesLocalFirst(call, ring, part, true);
  }
  const headers = objectBackendRequests(call, { outgoing: nodeCount, info, objectRing: ring });
  return await makeRequests(call, {
    ring,
    partition: part,
    method: "DELETE",
    path: target.entityPath,
    headers,
    serverType: "Object",
    overrides: { 404: 204 },
    nodeCount,
    nodes: nodeIter,
  });
}
