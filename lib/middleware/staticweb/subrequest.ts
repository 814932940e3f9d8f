/**
 * The requests staticweb sends down the pipeline and the responses it builds, as Swift's
 * _StaticWebContext does: make_env() subrequests (a few headers and environ keys of the
 * client's, User-Agent "<client's> StaticWeb"), copies of the client's own request
 * (dict(env): every header, the method, swift.source "SW"), and swob responses.
 *
 * Paths here are WSGI strings (PATH_INFO: one char per byte) and go out quoted with
 * requestFor(), so dot segments in object names survive (new URL() would resolve them).
 */
import { RESPONSE_REASONS } from "../../common/response_reasons.ts";
import type { RequestContext } from "../../server/context.ts";
import { rawQuery, rawTarget, requestFor } from "../../server/request_path.ts";
import type { Handler } from "../compose.ts";
import { makeEnvHeaders, makeEnvKeys, subrequestContext } from "../subrequest.ts";
import { wsgiQuote } from "../tempauth/swob.ts";

/**
 * make_env(env, 'GET', path, '%(orig)s StaticWeb', swift_source='SW') sent through `next`;
 * `query` replaces the client's query string when given (make_env keeps the client's).
 */
export function sendGet(
  next: Handler,
  req: Request,
  ctx: RequestContext,
  path: string,
  query?: string,
): Promise<Response> {
  const headers = makeEnvHeaders(req.headers);
  headers.set("User-Agent", `${req.headers.get("User-Agent") ?? ""} StaticWeb`.trim());
  const env = makeEnvKeys(ctx.env);
  env["swift.source"] = "SW";
  const qs = query ?? rawQuery(req);
  const target = wsgiQuote(path) + (qs ? `?${qs}` : "");
  return next(
    requestFor(target, req, { method: "GET", headers }),
    subrequestContext(ctx, env, ctx.startTime),
  );
}

/**
 * The client's request itself (a copy of its environ), at `path` when given, with
 * User-Agent "<client's> StaticWeb" ("None StaticWeb" without one, as Swift's '%s' writes).
 */
export function sendCopy(
  next: Handler,
  req: Request,
  ctx: RequestContext,
  path?: string,
): Promise<Response> {
  const headers = new Headers(req.headers);
  headers.set("User-Agent", `${req.headers.get("User-Agent") ?? "None"} StaticWeb`);
  const query = rawQuery(req);
  const target = path === undefined ? rawTarget(req) : wsgiQuote(path) + (query ? `?${query}` : "");
  const copy = requestFor(target, req, { method: req.method, headers });
  return next(copy, subrequestContext(ctx, { ...ctx.env, "swift.source": "SW" }, ctx.startTime));
}

/** Drops a response Swift would have left unread. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel();
}

/**
 * A swob response: Content-Type text/html; charset=UTF-8 unless given, the body (swob's
 * default page when undefined), Content-Length for it, and no body for HEAD.
 */
export function swobResponse(
  req: Request,
  status: number,
  init: { body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {},
): Response {
  const [title, explanation] = RESPONSE_REASONS[status] ?? ["", ""];
  const headers = new Headers({ "Content-Type": "text/html; charset=UTF-8" });
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  let body = init.body;
  // swob renders the default page only for a body it sends, so a HEAD answer has no length.
  if (body === undefined && explanation && req.method !== "HEAD") {
    body = new TextEncoder().encode(`<html><h1>${title}</h1><p>${explanation}</p></html>`);
  }
  if (body !== undefined) headers.set("Content-Length", String(body.length));
  return new Response(req.method === "HEAD" ? null : body, { status, statusText: title, headers });
}

/** `response` with another status (the body and headers of one, the status of another). */
export function withStatus(response: Response, from: Response, method: string): Response {
  if (method === "HEAD") void discard(response);
  return new Response(method === "HEAD" ? null : response.body, {
    status: from.status,
    statusText: from.statusText,
    headers: response.headers,
  });
}
