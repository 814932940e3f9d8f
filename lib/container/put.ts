/**
 * ContainerController.PUT: with an object name, records the object row the object server or
 * proxy reports (X-Size, X-Content-Type, X-Etag...); without, creates the container or
 * updates its put timestamp (201 created or re-created, 202 otherwise, 409 for a policy that
 * differs from the existing container's), stores metadata and updates the account servers.
 */
import { checkDriveOr507, checkFreeSpaceOr507, wsgiToStr } from "../common/db_server.ts";
import type { Timestamp } from "../common/timestamp.ts";
import { exists } from "../db/broker.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import { SwobError } from "../object/swob_status.ts";
import { pyInt } from "../object/wsgi_text.ts";
import { accountUpdate } from "./account_update.ts";
import type { ContainerBroker } from "./broker.ts";
import {
  containerBroker,
  type ContainerCall,
  type ContainerHandler,
  maybeAutocreate,
  objectPathOf,
  requestedPolicyIndex,
  updateContainerMetadata,
} from "./container_call.ts";
import { syncToError } from "./sync_to.ts";

/** Validates X-Container-Sync-To as PUT and POST do (400 with the reason). */
export function checkSyncTo(call: ContainerCall): void {
  const value = call.req.headers.get("x-container-sync-to");
  if (value === undefined) return;
  const { settings } = call.server;
  const error = syncToError(value, settings.allowedSyncHosts, call.server.realms);
  if (error) throw new SwobError(400, { body: error });
}

/** Runs account_update() and turns its outcome into the response Swift gives. */
export async function updateAccounts(
  call: ContainerCall,
  target: { account: string; container: string; broker: ContainerBroker },
): Promise<Response | undefined> {
  const { settings, sendAccountUpdate } = call.server;
  const outcome = await accountUpdate(
    {
      send: sendAccountUpdate,
      connTimeout: settings.connTimeout,
      nodeTimeout: settings.nodeTimeout,
      logger: call.logger,
    },
    call.req,
    target,
  );
  if (outcome === "bad request") return swobResponse(call.req, { status: 400 });
  if (outcome === "not found") return swobResponse(call.req, { status: 404 });
  return undefined;
}

/** The header's value, or a 500 as Swift's KeyError gives. */
function required(call: ContainerCall, name: string): string {
  const value = call.req.headers.get(name);
  if (value === undefined) throw new TypeError(`Object update has no ${name} header`);
  return value;
}

/** _update_or_create(): whether the container was created (or re-created after a delete). */
async function updateOrCreate(
  broker: ContainerBroker,
  timestamp: string,
  policy: { new: number; requested: number | undefined },
): Promise<boolean> {
  if (!exists(broker.dbFile)) {
    try {
      await broker.initialize(timestamp, policy.new);
      return true;
    } catch (err) {
      if (!(err instanceof Error && err.name === "DatabaseAlreadyExistsError")) throw err;
    }
  }
  const recreated = await broker.isDeleted();
  if (recreated) {
    // Only a deleted container may change its policy.
    await broker.setStoragePolicyIndex(policy.new, timestamp);
  } else if (policy.requested !== undefined) {
    const current = await broker.getStoragePolicyIndex();
    if (policy.requested !== current) {
      throw new SwobError(409, { headers: { "X-Backend-Storage-Policy-Index": String(current) } });
    }
  }
  await broker.updatePutTimestamp(timestamp);
  if (await broker.isDeleted()) throw new SwobError(409);
  if (recreated) await broker.updateStatusChangedAt(timestamp);
  return recreated;
}

async function putObjectRow(
  call: ContainerCall,
  broker: ContainerBroker,
  target: { account: string; object: string; timestamp: Timestamp; requested?: number },
): Promise<Response> {
  // Object updates name their policy; 0 is for updaters from before storage policies.
  const policyIndex = target.requested || 0;
  await maybeAutocreate(call, broker, { ...target, policyIndex });
  const size = pyInt(required(call, "x-size"));
  if (size === undefined) throw new TypeError("Object update has a non-integer X-Size header");
  const optional = (name: string) => {
    const value = call.req.headers.get(name);
    return value === undefined ? null : wsgiToStr(value);
  };
  await broker.putObject(target.object, target.timestamp.internal, {
    size,
    contentType: wsgiToStr(required(call, "x-content-type")),
    etag: wsgiToStr(required(call, "x-etag")),
    deleted: 0,
    storagePolicyIndex: policyIndex,
    ctypeTimestamp: optional("x-content-type-timestamp"),
    metaTimestamp: optional("x-meta-timestamp"),
  });
  return swobResponse(call.req, { status: 201 });
}

/** The policy a new container gets: the request's, else the proxy's default, else swift.conf's. */
function newContainerPolicy(call: ContainerCall, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  const fallback = call.req.headers.get("X-Backend-Storage-Policy-Default");
  if (fallback === undefined) return call.server.settings.cluster.defaultPolicy;
  // Swift hands the header text to SQLite, whose INTEGER affinity reads it as Python would.
  return (pyInt(fallback) ?? fallback) as number;
}

/** PUT /drive/part/account/container[/object]. */
export const putContainer: ContainerHandler = async (call) => {
  const path = objectPathOf(call.req);
  const timestamp = validTimestamp(call.req);
  checkSyncTo(call);
  const { settings } = call.server;
  checkDriveOr507(settings, path.drive);
  checkFreeSpaceOr507(settings, path.drive);
  const requested = requestedPolicyIndex(call);
  using broker = containerBroker(call, path);
  if (path.object) {
    return await putObjectRow(call, broker, {
      account: path.account,
      object: path.object,
      timestamp,
      requested,
    });
  }
  if ((call.req.headers.get("x-backend-record-type") ?? "").toLowerCase() === "shard") {
    throw new SwobError(501, {
      body: "swiftd does not shard containers: shard range PUTs are not implemented",
      contentType: "text/plain",
    });
  }
  const created = await updateOrCreate(broker, timestamp.internal, {
    new: newContainerPolicy(call, requested),
    requested,
  });
  await updateContainerMetadata(call, broker, timestamp, "PUT");
  const failed = await updateAccounts(call, { ...path, broker });
  if (failed) return failed;
  return swobResponse(call.req, {
    status: created ? 201 : 202,
    headers: { "X-Backend-Storage-Policy-Index": String(await broker.getStoragePolicyIndex()) },
  });
};
