/**
 * DELETE (ObjectController.DELETE): places a tombstone when the request is newer than what is
 * stored (204, or 404 when nothing was there), answers 409 when it is not, honours the
 * expirer's X-If-Delete-At, and updates the expirer queue and the containers.
 */
import { Timestamp } from "../../common/timestamp.ts";
import type { DiskFile, Metadata } from "../backend.ts";
import { validTimestamp } from "../constraints.ts";
import { setHeader } from "../container_update.ts";
import { getDiskFile, insufficientStorage, ZERO_TIMESTAMP } from "../disk_file_access.ts";
import {
  DiskFileDeleted,
  DiskFileExpired,
  DiskFileNoSpace,
  DiskFileNotExist,
  DiskFileQuarantined,
  DiskFileXattrNotSupported,
} from "../diskfile_errors.ts";
import type { ObjectHandler } from "../object_call.ts";
import { objectLocationOf } from "../request_path.ts";
import { swobResponse } from "../swob_response.ts";
import { SwobError } from "../swob_status.ts";

interface Found {
  readonly timestamp: Timestamp;
  readonly metadata: Readonly<Metadata>;
  readonly status: 204 | 404 | 409;
}

/** What is stored, read as DELETE reads it (expired objects count with their metadata). */
async function findOriginal(diskFile: DiskFile, device: string, now: Timestamp): Promise<Found> {
  try {
    const state = await diskFile.readMetadata({ currentTime: now });
    const timestamp = state.dataTimestamp;
    return { timestamp, metadata: state.metadata, status: timestamp.lessThan(now) ? 204 : 409 };
  } catch (err) {
    if (err instanceof DiskFileXattrNotSupported) throw insufficientStorage(device);
    if (err instanceof DiskFileExpired) {
      return { timestamp: err.timestamp, metadata: err.metadata, status: 404 };
    }
    if (err instanceof DiskFileDeleted) {
      return { timestamp: err.timestamp, metadata: {}, status: 404 };
    }
    if (err instanceof DiskFileNotExist || err instanceof DiskFileQuarantined) {
      return { timestamp: ZERO_TIMESTAMP, metadata: {}, status: 404 };
    }
    throw err;
  }
}

/** ObjectController.DELETE. */
export const deleteObject: ObjectHandler = async (call) => {
  const { req, settings, logger, updater } = call;
  const location = objectLocationOf(
    req.pathInfo,
    req.headers.get("X-Backend-Storage-Policy-Index"),
    settings.policies,
  );
  const timestamp = validTimestamp(req);
  const diskFile = await getDiskFile(call, location, {
    nextPartPower: req.headers.get("X-Backend-Next-Part-Power"),
  });
  const orig = await findOriginal(diskFile, location.device, timestamp);
  let status: number = orig.status;
  const responseTimestamp = timestamp.greaterThan(orig.timestamp) ? timestamp : orig.timestamp;
  const origDeleteAt = new Timestamp(orig.metadata["X-Delete-At"] || 0);
  const ifDeleteAt = req.headers.get("X-If-Delete-At");
  if (ifDeleteAt !== undefined) {
    let wanted: Timestamp;
    try {
      wanted = new Timestamp(ifDeleteAt);
    } catch {
      throw new SwobError(400, { body: "Bad X-If-Delete-At header value" });
    }
    // The expirer must not place a tombstone it cannot match to the object it queued.
    if (!orig.timestamp.isNonZero()) throw new SwobError(404);
    if (orig.timestamp.greaterOrEqual(timestamp)) throw new SwobError(409);
    if (!origDeleteAt.equals(wanted)) {
      throw new SwobError(412, { body: "X-If-Delete-At and X-Delete-At do not match" });
    }
    status = 204;
  }
  if (origDeleteAt.isNonZero()) {
    await updater.deleteAtUpdate("DELETE", origDeleteAt.timestamp, location, req, logger);
  }
  if (orig.timestamp.lessThan(timestamp)) {
    try {
      await diskFile.delete(timestamp);
    } catch (err) {
      if (err instanceof DiskFileNoSpace) throw insufficientStorage(location.device);
      throw err;
    }
    const update = {};
    setHeader(update, "x-timestamp", timestamp.internal);
    await updater.containerUpdate("DELETE", location, req, update, logger);
  }
  return swobResponse(req, {
    status,
    headers: {
      "X-Backend-Timestamp": responseTimestamp.internal,
      "X-Backend-Content-Type": orig.metadata["Content-Type"] ?? "",
    },
  });
};
