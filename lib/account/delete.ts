/**
 * AccountController.DELETE: marks the account deleted (its metadata blanked, its rows kept
 * for the reaper) and answers 204 with X-Account-Status: Deleted; 404 when already gone.
 */
import { checkDriveOr507 } from "../common/db_server.ts";
import { validTimestamp } from "../object/constraints.ts";
import {
  accountBroker,
  type AccountHandler,
  accountPathOf,
  deletedResponse,
} from "./account_call.ts";

/** DELETE /drive/part/account. */
export const deleteAccount: AccountHandler = async (call) => {
  const path = accountPathOf(call.req);
  checkDriveOr507(call.settings, path.drive);
  const timestamp = validTimestamp(call.req);
  using broker = accountBroker(call, path);
  if (await broker.isDeleted()) return await deletedResponse(call, broker, 404);
  await broker.deleteDb(timestamp.internal);
  return await deletedResponse(call, broker, 204);
};
