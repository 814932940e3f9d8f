/**
 * AccountController.HEAD and GET: the account's counts and metadata, and for GET the
 * container listing (marker, end_marker, prefix, delimiter, reverse, limit) in the negotiated
 * format; 404 (with X-Account-Status when marked deleted) for a missing or deleted account.
 */
import { checkDriveOr507 } from "../common/db_server.ts";
import { listingContentType } from "../common/listing_formats.ts";
import { constrainReqLimit, getParam, urlParams } from "../common/query_params.ts";
import { swobResponse } from "../object/swob_response.ts";
import { isTrue } from "../object/wsgi_text.ts";
import {
  accountBroker,
  type AccountHandler,
  accountPathOf,
  deletedResponse,
} from "./account_call.ts";
import { accountHeaders, accountListingResponse } from "./listing.ts";

/** Reads with a short lock wait, and stale data rather than none (HEAD and GET). */
const READ_OPTIONS = { pendingTimeout: 0.1, staleReadsOk: true };

/** HEAD /drive/part/account. */
export const headAccount: AccountHandler = async (call) => {
  const path = accountPathOf(call.req);
  const type = listingContentType(call.req, urlParams(call.req.url));
  checkDriveOr507(call.settings, path.drive);
  using broker = accountBroker(call, path, READ_OPTIONS);
  if (await broker.isDeleted()) return await deletedResponse(call, broker, 404);
  const headers = await accountHeaders(broker, call.settings.cluster);
  headers.push(["Content-Type", `${type}; charset=utf-8`]);
  return swobResponse(call.req, { status: 204, headers });
};

/** GET /drive/part/account. */
export const getAccount: AccountHandler = async (call) => {
  const { req, settings } = call;
  const path = accountPathOf(req);
  const params = urlParams(req.url);
  const prefix = getParam(params, "prefix");
  const delimiter = getParam(params, "delimiter");
  const reverse = isTrue(getParam(params, "reverse"));
  const limit = constrainReqLimit(params, settings.cluster.constraints.accountListingLimit);
  const marker = getParam(params, "marker") ?? "";
  const endMarker = getParam(params, "end_marker");
  const type = listingContentType(req, params);
  checkDriveOr507(settings, path.drive);
  using broker = accountBroker(call, path, READ_OPTIONS);
  if (await broker.isDeleted()) return await deletedResponse(call, broker, 404);
  const headers = await accountHeaders(broker, settings.cluster);
  const entries = await broker.listContainersIter({
    limit,
    marker,
    endMarker: endMarker ?? "",
    prefix: prefix ?? null,
    delimiter: delimiter ?? null,
    reverse,
    allowReserved: isTrue(req.headers.get("X-Backend-Allow-Reserved-Names")),
  });
  return accountListingResponse(req, { type, account: path.account, entries }, headers);
};
