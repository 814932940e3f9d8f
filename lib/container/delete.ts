/**
 * ContainerController.DELETE: with an object name, records the object's tombstone; without,
 * deletes the container when it holds no objects (409 otherwise), tells the account servers,
 * and answers 204, or 404 when there was no live container to delete.
 */
import { checkDriveOr507 } from "../common/db_server.ts";
import { Timestamp } from "../common/timestamp.ts";
import { exists } from "../db/broker.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import {
  containerBroker,
  type ContainerHandler,
  maybeAutocreate,
  objectPathOf,
  requestedPolicyIndex,
  syncStore,
} from "./container_call.ts";
import { updateAccounts } from "./put.ts";

/** DELETE /drive/part/account/container[/object]. */
export const deleteContainer: ContainerHandler = async (call) => {
  const { req } = call;
  const path = objectPathOf(req);
  const timestamp = validTimestamp(req);
  checkDriveOr507(call.server.settings, path.drive);
  const policyIndex = requestedPolicyIndex(call) || 0;
  using broker = containerBroker(call, path);
  if (path.object) {
    await maybeAutocreate(call, broker, { timestamp, account: path.account, policyIndex });
    // Swift records the X-Timestamp header as sent, not normalized.
    await broker.deleteObject(path.object, req.headers.get("x-timestamp")!, policyIndex);
    return swobResponse(req, { status: 204 });
  }
  if (!exists(broker.dbFile)) return swobResponse(req, { status: 404 });
  if (!(await broker.empty())) return swobResponse(req, { status: 409 });
  const existed = new Timestamp((await broker.getInfo()).put_timestamp).isNonZero() &&
    !(await broker.isDeleted());
  await broker.deleteDb(timestamp.internal);
  if (!(await broker.isDeleted())) return swobResponse(req, { status: 409 });
  await syncStore(call, broker, "DELETE");
  const failed = await updateAccounts(call, { ...path, broker });
  if (failed) return failed;
  return swobResponse(req, { status: existed ? 204 : 404 });
};
