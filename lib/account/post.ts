/** AccountController.POST: stores metadata (204; 404 for a missing or deleted account). */
import { checkDriveOr507, checkFreeSpaceOr507 } from "../common/db_server.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import {
  accountBroker,
  type AccountHandler,
  accountPathOf,
  deletedResponse,
  updateAccountMetadata,
} from "./account_call.ts";

/** POST /drive/part/account. */
export const postAccount: AccountHandler = async (call) => {
  const path = accountPathOf(call.req);
  const timestamp = validTimestamp(call.req);
  checkDriveOr507(call.settings, path.drive);
  checkFreeSpaceOr507(call.settings, path.drive);
  using broker = accountBroker(call, path);
  if (await broker.isDeleted()) return await deletedResponse(call, broker, 404);
  await updateAccountMetadata(call, broker, timestamp);
  return swobResponse(call.req, { status: 204 });
};
