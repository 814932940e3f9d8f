/**
 * One client request as the proxy's controllers see it: the swob-style request, the pipeline
 * context (Swift's environ: `swift.authorize`, `swift_owner`, `swift.cache`...), and the
 * state controllers set on the way (the ACL auth compares against, the query parameters).
 */
import type { Timestamp } from "../common/timestamp.ts";
import { Timestamp as SwiftTimestamp } from "../common/timestamp.ts";
import { queryParams } from "../common/query_params.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { badRequest } from "../object/swob_status.ts";
import { isTrue } from "../object/wsgi_text.ts";
import type { RequestContext } from "../server/context.ts";
import type { ProxyApplication } from "./application.ts";

/** What `swift.authorize` gets: the request, its environ, and the ACL the controller found. */
export interface AuthorizeRequest {
  readonly req: SwobRequest;
  readonly ctx: RequestContext;
  /** The container read or write ACL (Swift's req.acl), set before the call. */
  readonly acl: string | undefined;
}

/**
 * `ctx.env["swift.authorize"]`, set by auth middleware: undefined means allowed, a Response
 * is the denial to send (Swift's authorize(req) returning None or a response).
 */
export type Authorize = (
  request: AuthorizeRequest,
) => Response | undefined | Promise<Response | undefined>;

/** The environ key of the auth hook. */
export const AUTHORIZE_KEY = "swift.authorize";

/** A client request being served by one controller. */
export interface ProxyCall {
  readonly app: ProxyApplication;
  readonly req: SwobRequest;
  readonly ctx: RequestContext;
  /** swift.trans_id, sent to every backend as X-Trans-Id. */
  readonly txnId: string;
  /** req.params: the query as a dict of WSGI strings, last repeated name winning. */
  params: Map<string, string>;
  /** req.acl for swift.authorize. */
  acl?: string;
}

/** A ProxyCall for `req`. */
export function newCall(
  app: ProxyApplication,
  req: SwobRequest,
  ctx: RequestContext,
  txnId: string,
): ProxyCall {
  return { app, req, ctx, txnId, params: queryParams(req.url.search.replace(/^\?/, "")) };
}

/** Calls swift.authorize if the pipeline set it; returns the denial, if any. */
export async function authorize(call: ProxyCall): Promise<Response | undefined> {
  const hook = call.ctx.env[AUTHORIZE_KEY] as Authorize | undefined;
  if (typeof hook !== "function") return undefined;
  return await hook({ req: call.req, ctx: call.ctx, acl: call.acl }) ?? undefined;
}

/** Whether auth middleware marked the requester as the account's owner (`swift_owner`). */
export function isSwiftOwner(call: ProxyCall): boolean {
  return call.ctx.env["swift_owner"] === true;
}

/** req.allow_reserved_names: X-Backend-Allow-Reserved-Names is true. */
export function allowReservedNames(req: SwobRequest): boolean {
  return isTrue(req.headers.get("X-Backend-Allow-Reserved-Names"));
}

/**
 * swob's Request.ensure_x_timestamp(): checks a given X-Timestamp (400 if invalid) or sets
 * one now; returns it.
 */
export function ensureXTimestamp(req: SwobRequest): Timestamp {
  const given = req.headers.get("X-Timestamp");
  if (given === undefined) {
    const now = SwiftTimestamp.now();
    req.headers.set("X-Timestamp", now.internal);
    return now;
  }
  // A given one (container sync sends it) is checked and kept as written.
  try {
    return new SwiftTimestamp(given);
  } catch {
    throw badRequest(`X-Timestamp should be a UNIX timestamp float value; was '${given}'`);
  }
}
