/**
 * ContainerController.HEAD and GET: the container's info and metadata headers, and for GET
 * the object listing of the requested policy (marker, end_marker, prefix, delimiter, path,
 * reverse, limit) in the negotiated format. A deleted or missing container is a 404 that
 * still carries the backend timestamps.
 */
import { checkDriveOr507 } from "../common/db_server.ts";
import { listingContentType } from "../common/listing_formats.ts";
import { constrainReqLimit, getParam, urlParams } from "../common/query_params.ts";
import { Timestamp } from "../common/timestamp.ts";
import type {
  ContainerInfo,
  ObjectListingEntry,
  ObjectListingQuery,
} from "../db/container_types.ts";
import { formatHttpDate } from "../object/http_date.ts";
import { swobResponse } from "../object/swob_response.ts";
import { SwobError } from "../object/swob_status.ts";
import { isTrue } from "../object/wsgi_text.ts";
import type { ContainerBroker } from "./broker.ts";
import {
  containerBroker,
  type ContainerHandler,
  objectPathOf,
  requestedPolicyIndex,
} from "./container_call.ts";
import { containerInfoHeaders, listingResponse, metadataHeaders, objectRecord } from "./listing.ts";

/** The parameters validate_container_params() checks for UTF-8, in its order. */
const CONTAINER_PARAMS = [
  "marker",
  "end_marker",
  "prefix",
  "delimiter",
  "path",
  "format",
  "reverse",
  "states",
  "includes",
];

/** Reads with a short lock wait, and stale data rather than none (HEAD and GET). */
const READ_OPTIONS = { pendingTimeout: 0.1, staleReadsOk: true };

async function infoOf(broker: ContainerBroker): Promise<[Partial<ContainerInfo>, boolean]> {
  return await broker.getInfoIsDeleted();
}

/** HEAD /drive/part/account/container. */
export const headContainer: ContainerHandler = async (call) => {
  const { req } = call;
  const path = objectPathOf(req);
  const type = listingContentType(req, urlParams(req.url));
  const { settings } = call.server;
  checkDriveOr507(settings, path.drive);
  using broker = containerBroker(call, path, READ_OPTIONS);
  const [info, isDeleted] = await infoOf(broker);
  const headers = containerInfoHeaders(info, isDeleted);
  if (isDeleted) return swobResponse(req, { status: 404, headers });
  headers.push(...metadataHeaders(await broker.getMetadata(), settings.saveHeaders));
  headers.push(["Content-Type", `${type}; charset=utf-8`]);
  const putTimestamp = new Timestamp(info.put_timestamp ?? 0).normal;
  headers.push(["Last-Modified", formatHttpDate(new Timestamp(putTimestamp).ceil())]);
  return swobResponse(req, { status: 204, headers });
};

/** GET /drive/part/account/container. */
export const getContainer: ContainerHandler = async (call) => {
  const { req } = call;
  const path = objectPathOf(req);
  const raw = urlParams(req.url);
  const params = new Map<string, string | undefined>();
  for (const name of CONTAINER_PARAMS) params.set(name, getParam(raw, name));
  const { settings } = call.server;
  const limit = constrainReqLimit(raw, settings.cluster.constraints.containerListingLimit);
  const type = listingContentType(req, raw);
  checkDriveOr507(settings, path.drive);
  using broker = containerBroker(call, path, READ_OPTIONS);
  const [info, isDeleted] = await infoOf(broker);
  const recordType = (req.headers.get("x-backend-record-type") ?? "").toLowerCase();
  const sharded = info.db_state === "sharding" || info.db_state === "sharded";
  if (recordType === "shard" || (recordType === "auto" && sharded)) {
    throw new SwobError(501, {
      body: "swiftd does not shard containers: shard range listings are not implemented",
      contentType: "text/plain",
    });
  }
  const requested = requestedPolicyIndex(call);
  const headers = containerInfoHeaders(info, isDeleted);
  if (isDeleted) return swobResponse(req, { status: 404, headers });
  const policyIndex = requested ?? (info.storage_policy_index as number);
  headers.push(["X-Backend-Record-Type", "object"]);
  headers.push(["X-Backend-Record-Storage-Policy-Index", String(policyIndex)]);
  const query: ObjectListingQuery = {
    limit,
    marker: params.get("marker") ?? "",
    endMarker: params.get("end_marker") ?? "",
    prefix: params.get("prefix") ?? null,
    delimiter: params.get("delimiter") ?? null,
    path: params.get("path") ?? null,
    reverse: isTrue(params.get("reverse")),
    storagePolicyIndex: policyIndex,
    allowReserved: isTrue(req.headers.get("X-Backend-Allow-Reserved-Names")),
  };
  // While Swift shards a container, the retiring database still holds the objects.
  const list = (source: ContainerBroker): Promise<ObjectListingEntry[]> =>
    source.listObjectsIter(query);
  const entries = broker.dbFiles.length > 1
    ? await broker.retiringBroker(list)
    : await list(broker);
  headers.push(...metadataHeaders(await broker.getMetadata(), settings.saveHeaders));
  return listingResponse(req, {
    type,
    container: path.container,
    records: entries.map((entry) => objectRecord(entry, call.logger)),
  }, headers);
};
