/** ContainerController.POST: updates the put timestamp and stores metadata (204; 404 if deleted). */
import { checkDriveOr507, checkFreeSpaceOr507 } from "../common/db_server.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import {
  containerBroker,
  type ContainerHandler,
  containerPathOf,
  updateContainerMetadata,
} from "./container_call.ts";
import { checkSyncTo } from "./put.ts";

/** POST /drive/part/account/container. */
export const postContainer: ContainerHandler = async (call) => {
  const path = containerPathOf(call.req);
  const timestamp = validTimestamp(call.req);
  checkSyncTo(call);
  const { settings } = call.server;
  checkDriveOr507(settings, path.drive);
  checkFreeSpaceOr507(settings, path.drive);
  using broker = containerBroker(call, path);
  if (await broker.isDeleted()) return swobResponse(call.req, { status: 404 });
  await broker.updatePutTimestamp(timestamp.internal);
  await updateContainerMetadata(call, broker, timestamp, "POST");
  return swobResponse(call.req, { status: 204 });
};
