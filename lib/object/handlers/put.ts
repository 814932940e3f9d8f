/**
 * PUT (ObjectController.PUT): validates the request, refuses it with 409 when the stored
 * object (or tombstone) is as new, streams the body into the backend's writer while the
 * writer computes the MD5, checks length and ETag (499, 422), stores the metadata, then
 * updates the expirer queue and the containers.
 */
import type { DiskFileWriter, Metadata, ObjectLocation } from "../backend.ts";
import { checkObjectCreation, validTimestamp } from "../constraints.ts";
import { type HeaderDict, setHeader } from "../container_update.ts";
import {
  getDiskFile,
  insufficientStorage,
  readState,
  ZERO_TIMESTAMP,
} from "../disk_file_access.ts";
import { DiskFileDeleted, DiskFileNoSpace, DiskFileXattrNotSupported } from "../diskfile_errors.ts";
import type { ObjectCall, ObjectHandler } from "../object_call.ts";
import { EtagMatch, normalizeEtag } from "../conditional.ts";
import { objectLocationOf } from "../request_path.ts";
import { applyContainerOverrides, copyRequestMetadata } from "../request_metadata.ts";
import { swobResponse } from "../swob_response.ts";
import { badRequest, SwobError } from "../swob_status.ts";
import { HttpError } from "../../server/http_error.ts";
import { isTrue, pyInt } from "../wsgi_text.ts";

/** ObjectController.PUT. */
export const putObject: ObjectHandler = async (call) => {
  const { req, settings, logger, updater } = call;
  const location = objectLocationOf(
    req.pathInfo,
    req.headers.get("X-Backend-Storage-Policy-Index"),
    settings.policies,
  );
  const timestamp = validTimestamp(req);
  checkObjectCreation(req, location.object, settings.constraints);
  let size = req.messageLength();
  if (size === undefined) {
    // A chunked upload may still say how big it is, so the backend can preallocate.
    const declared = req.headers.get("X-Backend-Obj-Content-Length");
    if (declared !== undefined) {
      size = pyInt(declared);
      if (size === undefined) {
        throw badRequest(`invalid literal for int() with base 10: '${declared}'`);
      }
    }
  }
  const diskFile = await getDiskFile(call, location, {
    fragIndex: req.headers.get("X-Backend-Ssync-Frag-Index"),
    nextPartPower: req.headers.get("X-Backend-Next-Part-Power"),
  });
  const outcome = await readState(diskFile, location.device, timestamp);
  const origMetadata: Readonly<Metadata> = outcome.state?.metadata ?? {};
  const origTimestamp = outcome.state?.dataTimestamp ??
    (outcome.missing instanceof DiskFileDeleted ? outcome.missing.timestamp : ZERO_TIMESTAMP);
  const ifNoneMatch = req.headers.get("If-None-Match");
  if (ifNoneMatch !== undefined && Object.keys(origMetadata).length) {
    const match = new EtagMatch(ifNoneMatch);
    const current = origMetadata["ETag"];
    if (match.tags.has("*") || (current !== undefined && match.matches(current))) {
      throw new SwobError(412);
    }
  }
  if (origTimestamp.greaterOrEqual(timestamp)) {
    throw new SwobError(409, { headers: { "X-Backend-Timestamp": origTimestamp.internal } });
  }

  let metadata: Metadata;
  let etag: string;
  const writer = await storageCall(location, () => diskFile.writer(size));
  try {
    const staged = await stageData(call, writer, { size, location });
    etag = staged.etag;
    metadata = {
      "X-Timestamp": timestamp.internal,
      "Content-Type": req.headers.get("Content-Type") ?? "",
      "Content-Length": String(staged.uploadSize),
      "ETag": staged.etag,
    };
    copyRequestMetadata(metadata, req.headers, settings.allowedHeaders, true);
    const received = normalizeEtag(req.headers.get("ETag") ?? "");
    if (received && received !== metadata["ETag"]) throw new SwobError(422);
    await storageCall(location, () => writer.put(metadata));
    if (!isTrue(req.headers.get("X-Backend-No-Commit"))) {
      await storageCall(location, () => writer.commit(timestamp));
    }
  } finally {
    await writer.close();
  }

  const origDeleteAt = pyInt(origMetadata["X-Delete-At"] || "0") ?? 0;
  const newDeleteAt = pyInt(req.headers.get("X-Delete-At") || "0") ?? 0;
  if (origDeleteAt !== newDeleteAt) {
    if (newDeleteAt) await updater.deleteAtUpdate("PUT", newDeleteAt, location, req, logger);
    if (origDeleteAt) await updater.deleteAtUpdate("DELETE", origDeleteAt, location, req, logger);
  }
  const update: HeaderDict = {};
  setHeader(update, "x-size", metadata["Content-Length"]);
  setHeader(update, "x-content-type", metadata["Content-Type"]);
  setHeader(update, "x-timestamp", metadata["X-Timestamp"]);
  setHeader(update, "x-etag", metadata["ETag"]);
  applyContainerOverrides(update, req.headers.entries());
  await updater.containerUpdate("PUT", location, req, update, logger);
  return swobResponse(req, { status: 201, headers: { "ETag": `"${etag}"` } });
};

/** Runs a backend write, answering 507 when the disk is full or lacks xattrs. */
async function storageCall<T>(location: ObjectLocation, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof DiskFileNoSpace || err instanceof DiskFileXattrNotSupported) {
      throw insufficientStorage(location.device);
    }
    throw err;
  }
}

/**
 * _stage_obj_data(): feeds the body to the writer chunk by chunk as it arrives (never more
 * than `size` bytes, as eventlet's input stops at Content-Length); 408 past max_upload_time
 * or when the client stalls, 499 when it disconnects or sends less than it announced.
 */
async function stageData(
  call: ObjectCall,
  writer: DiskFileWriter,
  { size, location }: { size: number | undefined; location: ObjectLocation },
): Promise<{ uploadSize: number; etag: string }> {
  const body = call.req.raw.body;
  const deadline = Date.now() + call.settings.maxUploadTime * 1000;
  if (body) {
    const reader = body.getReader();
    let received = 0;
    try {
      while (size === undefined || received < size) {
        let chunk: Uint8Array;
        try {
          const next = await reader.read();
          if (next.done) break;
          chunk = next.value;
        } catch (err) {
          if (err instanceof HttpError && err.status === 408) throw new SwobError(408);
          throw new SwobError(499);
        }
        if (Date.now() > deadline) throw new SwobError(408);
        if (size !== undefined && received + chunk.length > size) {
          chunk = chunk.subarray(0, size - received);
        }
        received += chunk.length;
        await storageCall(location, () => writer.write(chunk));
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  const staged = writer.chunksFinished();
  if (size !== undefined && size !== staged.uploadSize) throw new SwobError(499);
  return staged;
}
