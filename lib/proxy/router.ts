/**
 * The proxy's request path (Application.handle_request and get_controller in
 * swift/proxy/server.py): request checks in Swift's order (Content-Length, UTF-8 path 412,
 * path shape 404, API version 400, "Bad URL" 412, deny_host_headers 403), the transaction id,
 * the method table (405 with Allow), and swift.authorize before the controller runs.
 */
import type { Handler } from "../middleware/compose.ts";
import { generateTransId } from "../middleware/catch_errors.ts";
import { checkUtf8, splitPath, validateInternalObj, wsgiToStr } from "../object/request_path.ts";
import { SwobRequest } from "../object/swob_request.ts";
import { errorResponse, swobResponse } from "../object/swob_response.ts";
import { SwobError } from "../object/swob_status.ts";
import { unservableReason } from "../common/storage_policy.ts";
import { HttpError } from "../server/http_error.ts";
import type { RequestContext } from "../server/context.ts";
import type { ProxyApplication } from "./application.ts";
import { allowReservedNames, authorize, AUTHORIZE_KEY, newCall, type ProxyCall } from "./call.ts";
import { accountController } from "./controllers/account.ts";
import { type Controller, type HttpMethod, infoLookup, type Target } from "./controllers/base.ts";
import { containerController } from "./controllers/container.ts";
import { publishedMethods } from "./cors.ts";
import { infoController } from "./controllers/info.ts";
import { objectController } from "./controllers/object.ts";
import { getContainerInfo } from "./get_info.ts";

/** The proxy app's handler over `app`. */
export function proxyHandler(app: ProxyApplication): Handler {
  return async function proxyServer(raw, ctx) {
    const req = new SwobRequest(raw, ctx.remoteAddr.hostname);
    try {
      return await handleRequest(app, req, ctx);
    } catch (err) {
      if (err instanceof SwobError) return errorResponse(req, err);
      if (err instanceof HttpError) return err.toResponse(req.method);
      ctx.logger.exception("ERROR Unhandled exception in request", err);
      return swobResponse(req, { status: 500 });
    }
  };
}

/** update_request(): X-Storage-Token as X-Auth-Token; Transfer-Encoding wins over Length. */
function updateRequest(req: SwobRequest): void {
  const token = req.headers.get("X-Storage-Token");
  if (token !== undefined && !req.headers.has("X-Auth-Token")) {
    req.headers.set("X-Auth-Token", token);
  }
  const te = (req.headers.get("Transfer-Encoding") ?? "").toLowerCase();
  if (te.split(",").pop()!.trim() === "chunked" && req.headers.has("Content-Length")) {
    // Forwarding both would let a backend pick the other framing (request smuggling).
    req.headers.delete("Content-Length");
  }
}

async function handleRequest(
  app: ProxyApplication,
  req: SwobRequest,
  ctx: RequestContext,
): Promise<Response> {
  updateRequest(req);
  const length = req.headers.get("Content-Length");
  if (length !== undefined && /^\s*-\d+\s*$/.test(length)) {
    throw new SwobError(400, { body: "Invalid Content-Length" });
  }
  if (!checkUtf8(req.pathInfo, allowReservedNames(req))) {
    throw new SwobError(412, { body: "Invalid UTF8 or contains NULL" });
  }
  const txnId = ctx.txnId ?? generateTransId(app.settings.transIdSuffix + transIdExtra(req));
  if (ctx.txnId === undefined) {
    ctx.txnId = txnId;
    ctx.logger = ctx.logger.child({ txnId });
  }
  ctx.env["swift.trans_id"] ??= txnId;
  const call = newCall(app, req, ctx, txnId);
  const controller = await getController(call);
  const host = (req.headers.get("Host") ?? req.url.host).split(":")[0];
  if (app.settings.denyHostHeaders.includes(host)) {
    throw new SwobError(403, { body: "Invalid host header" });
  }
  req.headers.set("X-Trans-Id", txnId);
  const action = controller[req.method as HttpMethod];
  if (action === undefined) {
    const allow = publishedMethods(controller).join(", ");
    return swobResponse(req, { status: 405, headers: { Allow: allow } });
  }
  const hook = ctx.env[AUTHORIZE_KEY];
  let authorized = false;
  if (typeof hook === "function") {
    // Always asked first; a denial is final unless the method wants to look up the ACL.
    const denied = await authorize(call);
    if (denied === undefined) authorized = true;
    else if (!action.delayDenial) return denied;
  }
  ctx.env["swift.orig_req_method"] ??= req.method;
  if (authorized) delete ctx.env[AUTHORIZE_KEY];
  try {
    return await action.run(call);
  } finally {
    if (authorized) ctx.env[AUTHORIZE_KEY] = hook;
  }
}

function transIdExtra(req: SwobRequest): string {
  const extra = req.headers.get("X-Trans-Id-Extra");
  return extra ? `-${extra.slice(0, 32)}` : "";
}

/** get_controller(): the controller for the path; throws Swift's error for bad paths. */
async function getController(call: ProxyCall): Promise<Controller> {
  const { req, app } = call;
  if (req.path === "/info") return infoController();
  let segments: (string | undefined)[];
  try {
    segments = splitPath(req.pathInfo, 1, 4, true);
  } catch {
    throw new SwobError(404);
  }
  const [version, account, container, object] = segments as [string, ...(string | undefined)[]];
  if (account && !app.swiftConf.constraints.validApiVersions.includes(version)) {
    throw new SwobError(400);
  }
  const target = (names: Partial<Target>): Target => ({
    version,
    account: native(account!),
    entityPath: req.pathInfo.slice(version.length + 1),
    ...names,
  });
  if (account && container && object) {
    const t = target({ container: native(container), object: native(object) });
    const info = await getContainerInfo(infoLookup(call), t.account, t.container!);
    if ((info.status as number) >= 500) throw new SwobError(503);
    const policy = app.swiftConf.policies.get(
      req.headers.get("X-Backend-Storage-Policy-Index") ?? String(info.storage_policy),
    );
    if (!policy) throw new SwobError(503, { body: "Unknown Storage Policy" });
    const unservable = unservableReason(policy);
    if (unservable) throw new SwobError(503, { body: unservable, contentType: "text/plain" });
    validateInternalObj(t.account, t.container!, t.object!);
    return objectController(t);
  }
  if (account && container) return containerController(target({ container: native(container) }));
  if (account && !container && !object) {
    return accountController(target({}), app.settings.allowAccountManagement);
  }
  throw new SwobError(412, { body: "Bad URL" });
}

/** A path segment as a native string (the path passed check_utf8, so it decodes). */
function native(segment: string): string {
  return wsgiToStr(segment) ?? segment;
}
