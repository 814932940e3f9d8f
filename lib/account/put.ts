/**
 * AccountController.PUT: without a container name, creates the account (201) or updates its
 * put timestamp (202; 403 "Recently deleted" while it is marked deleted); with one, records
 * the container row a container server reports (201, or 204 when the row says deleted), and
 * 404 when the account does not exist, unless it is a system account created on demand.
 */
import { checkDriveOr507, checkFreeSpaceOr507 } from "../common/db_server.ts";
import { Timestamp } from "../common/timestamp.ts";
import { exists } from "../db/broker.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import type { AccountBroker } from "./broker.ts";
import {
  accountBroker,
  type AccountCall,
  type AccountHandler,
  type AccountPath,
  containerPathOf,
  deletedResponse,
  updateAccountMetadata,
} from "./account_call.ts";

function isAlreadyExists(err: unknown): boolean {
  return err instanceof Error && err.name === "DatabaseAlreadyExistsError";
}

/** The header's value, or a 500 as Swift's KeyError gives. */
function required(call: AccountCall, name: string): string {
  const value = call.req.headers.get(name);
  if (value === undefined) throw new TypeError(`Container update has no ${name} header`);
  return value;
}

async function putContainerRow(call: AccountCall, path: AccountPath): Promise<Response> {
  const { req } = call;
  const timestamp = req.headers.has("x-timestamp") ? validTimestamp(req) : Timestamp.now();
  const policyIndex = req.headers.get("X-Backend-Storage-Policy-Index") ?? 0;
  // Updates from a container server (which send X-Trans-Id) may wait longer for the lock.
  const pendingTimeout = req.headers.has("x-trans-id") ? 3 : undefined;
  using broker = accountBroker(call, path, { pendingTimeout });
  if (path.account.startsWith(call.settings.autoCreateAccountPrefix) && !exists(broker.dbFile)) {
    try {
      await broker.initialize(timestamp.internal);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const overrideDeleted =
    (req.headers.get("x-account-override-deleted") ?? "no").toLowerCase() === "yes";
  if ((!overrideDeleted && await broker.isDeleted()) || !exists(broker.dbFile)) {
    return swobResponse(req, { status: 404 });
  }
  const putTimestamp = required(call, "x-put-timestamp");
  const deleteTimestamp = required(call, "x-delete-timestamp");
  await broker.putContainer(path.container!, {
    putTimestamp,
    deleteTimestamp,
    objectCount: required(call, "x-object-count"),
    bytesUsed: required(call, "x-bytes-used"),
    storagePolicyIndex: policyIndex,
  });
  // Swift compares the header texts, not the times they stand for.
  return swobResponse(req, { status: deleteTimestamp > putTimestamp ? 204 : 201 });
}

async function putAccount(call: AccountCall, path: AccountPath): Promise<Response> {
  const timestamp = validTimestamp(call.req);
  using broker: AccountBroker = accountBroker(call, path);
  let created: boolean;
  if (!exists(broker.dbFile)) {
    try {
      await broker.initialize(timestamp.internal);
      created = true;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      created = false;
    }
  } else if (await broker.isStatusDeleted()) {
    return await deletedResponse(call, broker, 403, "Recently deleted");
  } else {
    created = await broker.isDeleted();
    await broker.updatePutTimestamp(timestamp.internal);
    if (await broker.isDeleted()) return swobResponse(call.req, { status: 409 });
  }
  await updateAccountMetadata(call, broker, timestamp);
  return swobResponse(call.req, { status: created ? 201 : 202 });
}

/** PUT /drive/part/account[/container]. */
export const putAccountOrContainer: AccountHandler = async (call) => {
  const path = containerPathOf(call.req);
  checkDriveOr507(call.settings, path.drive);
  checkFreeSpaceOr507(call.settings, path.drive);
  return path.container ? await putContainerRow(call, path) : await putAccount(call, path);
};
