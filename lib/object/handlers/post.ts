/**
 * POST (ObjectController.POST): replaces the user metadata with a .meta at the request's
 * timestamp, or only the Content-Type when its Content-Type-Timestamp is newer than the
 * stored one; 409 when neither is newer; then the expirer queue and the containers learn
 * the change (a POST is a PUT to the container server).
 */
import { Timestamp } from "../../common/timestamp.ts";
import type { Metadata } from "../backend.ts";
import { validTimestamp } from "../constraints.ts";
import { type HeaderDict, setHeader } from "../container_update.ts";
import { getDiskFile, insufficientStorage, readState } from "../disk_file_access.ts";
import { DiskFileNoSpace, DiskFileXattrNotSupported } from "../diskfile_errors.ts";
import { isSysMeta } from "../meta_keys.ts";
import type { ObjectHandler } from "../object_call.ts";
import { objectLocationOf } from "../request_path.ts";
import { applyContainerOverrides, copyRequestMetadata } from "../request_metadata.ts";
import { swobResponse } from "../swob_response.ts";
import { badRequest, SwobError } from "../swob_status.ts";
import { isTrue, pyInt } from "../wsgi_text.ts";

const RFC_TOKEN = String.raw`[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`;
const RFC_EXTENSION = new RegExp(
  String.raw`(?:\s*;\s*(${RFC_TOKEN})\s*(?:=\s*(${RFC_TOKEN}|"(?:[^"\\]|\\.)*"))?)`,
  "g",
);

/** extract_swift_bytes()'s swift_bytes parameter (SLO's size of a manifest), if any. */
export function swiftBytesOf(contentType: string): string | undefined {
  const semicolon = contentType.indexOf(";");
  if (semicolon < 0) return undefined;
  let found: string | undefined;
  for (const match of contentType.slice(semicolon).matchAll(RFC_EXTENSION)) {
    if (match[1].trim() === "swift_bytes") found = (match[2] ?? "").trim();
  }
  return found || undefined;
}

/** A Timestamp from a header, 400 instead of Swift's unhandled ValueError (a 500). */
function headerTimestamp(value: string, name: string): Timestamp {
  try {
    return new Timestamp(value);
  } catch {
    throw badRequest(`Invalid ${name} header`);
  }
}

/** ObjectController.POST. */
export const postObject: ObjectHandler = async (call) => {
  const { req, settings, logger, updater } = call;
  const location = objectLocationOf(
    req.pathInfo,
    req.headers.get("X-Backend-Storage-Policy-Index"),
    settings.policies,
  );
  const timestamp = validTimestamp(req);
  const newDeleteAt = pyInt(req.headers.get("X-Delete-At") || "0");
  // Swift lets int() raise here (a 500); a client error deserves a 400.
  if (newDeleteAt === undefined) throw badRequest("Non-integer X-Delete-At");
  if (newDeleteAt && timestamp.greaterThan(newDeleteAt)) {
    throw new SwobError(400, { body: "X-Delete-At in past", contentType: "text/plain" });
  }
  const diskFile = await getDiskFile(call, location, {
    openExpired: isTrue(req.headers.get("x-backend-replication") ?? "false"),
    nextPartPower: req.headers.get("X-Backend-Next-Part-Power"),
  });
  const { state } = await readState(diskFile, location.device, timestamp);
  if (!state) throw new SwobError(404);
  const origMetadata = state.metadata;
  const origTimestamp = new Timestamp(origMetadata["X-Timestamp"] ?? 0);
  const origCtypeTimestamp = state.contentTypeTimestamp;
  const reqCtype = req.headers.get("Content-Type");
  const reqCtypeTimestamp = reqCtype
    ? headerTimestamp(
      req.headers.get("Content-Type-Timestamp") ?? timestamp.internal,
      "Content-Type-Timestamp",
    )
    : new Timestamp(0);
  if (
    origTimestamp.greaterOrEqual(timestamp) && origCtypeTimestamp.greaterOrEqual(reqCtypeTimestamp)
  ) {
    throw new SwobError(409, { headers: { "X-Backend-Timestamp": origTimestamp.internal } });
  }

  let metadata: Metadata;
  if (timestamp.greaterThan(origTimestamp)) {
    metadata = { "X-Timestamp": timestamp.internal };
    copyRequestMetadata(metadata, req.headers, settings.allowedHeaders, false);
    const origDeleteAt = pyInt(origMetadata["X-Delete-At"] || "0") ?? 0;
    if (origDeleteAt !== newDeleteAt) {
      if (newDeleteAt) await updater.deleteAtUpdate("PUT", newDeleteAt, location, req, logger);
      if (origDeleteAt) {
        await updater.deleteAtUpdate("DELETE", origDeleteAt, location, req, logger);
      }
    }
  } else {
    // Only the Content-Type is newer: keep the stored metadata as it is.
    metadata = { ...state.metafileMetadata };
  }

  let contentType: string | undefined;
  let contentTypeTimestamp: string;
  if (reqCtypeTimestamp.greaterThan(origCtypeTimestamp)) {
    contentType = reqCtype;
    contentTypeTimestamp = reqCtypeTimestamp.internal;
    metadata["Content-Type"] = contentType!;
    metadata["Content-Type-Timestamp"] = contentTypeTimestamp;
  } else {
    contentType = state.contentType;
    contentTypeTimestamp = origCtypeTimestamp.internal;
    // Only a Content-Type set by an earlier POST belongs in the .meta file.
    if (!origCtypeTimestamp.equals(state.dataTimestamp)) {
      if (contentType !== undefined) metadata["Content-Type"] = contentType;
      else delete metadata["Content-Type"];
      metadata["Content-Type-Timestamp"] = contentTypeTimestamp;
    }
  }
  try {
    await diskFile.writeMetadata(metadata);
  } catch (err) {
    if (err instanceof DiskFileXattrNotSupported || err instanceof DiskFileNoSpace) {
      throw insufficientStorage(location.device);
    }
    throw err;
  }
  if (contentType !== undefined && !state.dataTimestamp.equals(contentTypeTimestamp)) {
    // The container listing keeps SLO's swift_bytes from the data file's Content-Type.
    const swiftBytes = swiftBytesOf(state.datafileMetadata["Content-Type"] ?? "");
    if (swiftBytes) contentType += `;swift_bytes=${swiftBytes}`;
  }

  const update: HeaderDict = {};
  setHeader(update, "x-size", origMetadata["Content-Length"]);
  if (contentType !== undefined) setHeader(update, "x-content-type", contentType);
  setHeader(update, "x-timestamp", state.dataTimestamp.internal);
  setHeader(update, "x-content-type-timestamp", contentTypeTimestamp);
  setHeader(update, "x-meta-timestamp", metadata["X-Timestamp"]);
  setHeader(update, "x-etag", origMetadata["ETag"]);
  // EC stores the client's ETag and size as sysmeta; the listing must show those.
  const ecEtag = origMetadata["X-Object-Sysmeta-Ec-Etag"];
  if (ecEtag !== undefined) setHeader(update, "X-Etag", ecEtag);
  const ecLength = origMetadata["X-Object-Sysmeta-Ec-Content-Length"];
  if (ecLength !== undefined) setHeader(update, "X-Size", ecLength);
  applyContainerOverrides(update, Object.entries(origMetadata));
  await updater.containerUpdate("PUT", location, req, update, logger);

  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers["X-Backend-Content-Type"] = contentType;
  for (const [key, value] of Object.entries(origMetadata)) {
    if (isSysMeta(key)) headers[key] = value;
  }
  return swobResponse(req, { status: 202, headers });
};
