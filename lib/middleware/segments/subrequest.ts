/**
 * swift.common.wsgi.make_subrequest()/make_env(): a request a middleware sends down the rest of
 * the pipeline on behalf of a client request. It carries only the few client headers and
 * environ keys Swift copies (auth, caches, transaction id, the user agent with a suffix), so a
 * segment GET cannot be steered by the client's Range or If-* headers, and proxy_logging can tell
 * it from client traffic by `swift.source`.
 */
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { makeEnvHeaders, makeEnvKeys, subrequestContext } from "../subrequest.ts";

/** What a middleware asks for (make_subrequest()'s arguments). */
export interface SubrequestInit {
  readonly method?: string;
  /** The quoted path, possibly with `?query`; the original path when absent. */
  readonly path?: string;
  /** Extra headers; undefined values are left out (swob drops a header set to None). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: Uint8Array | ReadableStream<Uint8Array> | string;
  /** User-Agent with `%(orig)s` for the client's; "" drops it. Swift's default is "Swift". */
  readonly agent?: string;
  /** `swift.source`, logged by proxy_logging. */
  readonly swiftSource?: string;
  /** Environ keys to set on the subrequest besides the copied ones (make_pre_authed_env...). */
  readonly env?: Readonly<Record<string, unknown>>;
}

/** A subrequest and its context, ready for `next`. */
export interface Subrequest {
  readonly req: Request;
  readonly ctx: RequestContext;
}

/** make_subrequest(req.environ, ...): the request and its fresh environ. */
export function makeSubrequest(
  req: Request,
  ctx: RequestContext,
  init: SubrequestInit,
): Subrequest {
  const headers = makeEnvHeaders(req.headers);
  const agent = init.agent ?? "Swift";
  if (agent) {
    headers.set(
      "User-Agent",
      agent.replace("%(orig)s", req.headers.get("User-Agent") ?? "").trim(),
    );
  } else if (agent === "") {
    headers.delete("User-Agent");
  }
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  const env = makeEnvKeys(ctx.env);
  if (init.swiftSource) env["swift.source"] = init.swiftSource;
  Object.assign(env, init.env);
  const original = new URL(req.url);
  const url = init.path === undefined ? original : new URL(init.path, original.origin);
  let body = init.body;
  if (typeof body === "string") body = new TextEncoder().encode(body);
  if (body instanceof Uint8Array && body.length === 0) body = undefined;
  if (body instanceof Uint8Array) headers.set("Content-Length", String(body.length));
  const method = init.method ?? req.method;
  const hasBody = body !== undefined && method !== "GET" && method !== "HEAD";
  const sub = new Request(url, {
    method,
    headers,
    body: hasBody ? body as BodyInit : undefined,
    ...(hasBody && body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { req: sub, ctx: subrequestContext(ctx, env) };
}

/** Sends a subrequest down the pipeline. */
export function sendSubrequest(
  next: Handler,
  req: Request,
  ctx: RequestContext,
  init: SubrequestInit,
): Promise<Response> {
  const sub = makeSubrequest(req, ctx, init);
  return next(sub.req, sub.ctx);
}
