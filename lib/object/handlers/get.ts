/**
 * GET and HEAD (ObjectController.GET/HEAD): X-Timestamp defaults to now and is the time an
 * X-Delete-At is checked against; a missing object is a conditional 404 carrying the
 * tombstone's X-Backend-Timestamp; a GET streams the object with swob's ranges and
 * conditional handling.
 */
import { Timestamp } from "../../common/timestamp.ts";
import type { DiskFile, DiskFileState, OpenDiskFile } from "../backend.ts";
import { validTimestamp } from "../constraints.ts";
import { getDiskFile, insufficientStorage, missingHeaders } from "../disk_file_access.ts";
import {
  DiskFileNotExist,
  DiskFileQuarantined,
  DiskFileXattrNotSupported,
} from "../diskfile_errors.ts";
import type { ObjectCall, ObjectHandler } from "../object_call.ts";
import { objectLocationOf } from "../request_path.ts";
import { etagIsAt, objectHeaders } from "../response_metadata.ts";
import { swobResponse, swobResponseInline } from "../swob_response.ts";
import { isTrue } from "../wsgi_text.ts";

/** Resolves the object of a GET or HEAD: its handle and the request's time. */
async function lookup(
  call: ObjectCall,
): Promise<{ diskFile: DiskFile; now: Timestamp; device: string }> {
  const { req, settings } = call;
  const location = objectLocationOf(
    req.pathInfo,
    req.headers.get("X-Backend-Storage-Policy-Index"),
    settings.policies,
  );
  if (!req.headers.has("X-Timestamp")) req.headers.set("X-Timestamp", Timestamp.now().normal);
  const now = validTimestamp(req);
  const diskFile = await getDiskFile(call, location, {
    fragPrefs: safeJsonLoads(req.headers.get("X-Backend-Fragment-Preferences")),
    openExpired: isTrue(req.headers.get("x-backend-replication") ?? "false"),
  });
  return { diskFile, now, device: location.device };
}

/** safe_json_loads(): the parsed value, or undefined when absent or not JSON. */
function safeJsonLoads(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The answer for an object that is not there (or was quarantined). */
function notFound(call: ObjectCall, missing: Error): Response {
  return swobResponse(call.req, {
    status: 404,
    headers: missingHeaders(missing),
    conditional: true,
  });
}

/** Opens the object, turning "not found" into a value and unsupported xattrs into 507. */
async function openOrMissing(
  device: string,
  open: () => Promise<OpenDiskFile | DiskFileState>,
): Promise<OpenDiskFile | DiskFileState | Error> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof DiskFileXattrNotSupported) throw insufficientStorage(device);
    if (err instanceof DiskFileNotExist || err instanceof DiskFileQuarantined) return err;
    throw err;
  }
}

/** ObjectController.GET. */
export const getObject: ObjectHandler = async (call) => {
  const { req, settings } = call;
  const { diskFile, now, device } = await lookup(call);
  const keepCache = settings.keepCachePrivate ||
    (!req.headers.has("X-Auth-Token") && !req.headers.has("X-Storage-Token"));
  const opened = await openOrMissing(
    device,
    () => diskFile.open({ currentTime: now, keepCache }),
  );
  if (opened instanceof Error) return notFound(call, opened);
  const { state, reader } = opened as OpenDiskFile;
  try {
    const ignore = (req.headers.get("X-Backend-Ignore-Range-If-Metadata-Present") ?? "")
      .split(",").map((h) => h.trim().toLowerCase());
    if (Object.keys(state.metadata).some((key) => ignore.includes(key.toLowerCase()))) {
      req.headers.delete("Range");
    }
    return await swobResponseInline(req, {
      status: 200,
      headers: objectHeaders(state, settings.allowedHeaders),
      reader,
      conditional: true,
      conditionalEtag: etagIsAt(req.headers, state.metadata),
    });
  } catch (err) {
    await reader.close();
    throw err;
  }
};

/** ObjectController.HEAD. */
export const headObject: ObjectHandler = async (call) => {
  const { req, settings } = call;
  const { diskFile, now, device } = await lookup(call);
  const state = await openOrMissing(
    device,
    () => diskFile.readMetadata({ currentTime: now }),
  );
  if (state instanceof Error) return notFound(call, state);
  const metadataState = state as DiskFileState;
  return swobResponse(req, {
    status: 200,
    headers: objectHeaders(metadataState, settings.allowedHeaders),
    conditional: true,
    conditionalEtag: etagIsAt(req.headers, metadataState.metadata),
  });
};
