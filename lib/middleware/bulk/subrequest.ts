/**
 * swift.common.wsgi.make_subrequest() as bulk uses it, on raw paths: the target is kept as
 * given (requestFor()), so an archive member or delete line naming `c/../o` reaches the
 * pipeline as that path and is never resolved into another container or account. As in
 * Swift, the client's query string goes along unless the path brings its own (bulk's
 * container HEAD/PUT and object PUT carry `?extract-archive=...`; its deletes set none).
 */
import type { RequestContext } from "../../server/context.ts";
import { requestFor } from "../../server/request_path.ts";

/** The client headers make_env() keeps. */
const COPIED_HEADERS = [
  "User-Agent",
  "Host",
  "Origin",
  "Access-Control-Request-Method",
  "X-User-Id",
  "X-Project-Id",
  "Referer",
];

/** The environ keys make_env() keeps. */
const COPIED_ENV = [
  "REMOTE_USER",
  "swift.cache",
  "swift.trans_id",
  "swift.authorize_override",
  "swift.authorize",
  "swift.infocache",
  "swift.shard_listing_history",
];

/** What bulk asks make_subrequest() for. */
export interface BulkSubrequestInit {
  readonly method: string;
  /** The quoted path. */
  readonly path: string;
  /** The query string; the client's when undefined. */
  readonly query?: string;
  /** Extra headers; undefined values are left out. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: ReadableStream<Uint8Array>;
  /** User-Agent, `%(orig)s` standing for the client's. */
  readonly agent: string;
  readonly swiftSource: string;
}

/** A subrequest and its context, ready for `next`. */
export interface BulkSubrequest {
  readonly req: Request;
  readonly ctx: RequestContext;
}

/** make_subrequest(req.environ, ...). */
export function bulkSubrequest(
  req: Request,
  ctx: RequestContext,
  clientQuery: string,
  init: BulkSubrequestInit,
): BulkSubrequest {
  const headers = new Headers();
  for (const name of COPIED_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const agent = init.agent.replace("%(orig)s", req.headers.get("User-Agent") ?? "").trim();
  if (agent) headers.set("User-Agent", agent);
  else headers.delete("User-Agent");
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  const env: Record<string, unknown> = {};
  for (const key of COPIED_ENV) if (key in ctx.env) env[key] = ctx.env[key];
  env["swift.source"] = init.swiftSource;
  const query = init.query ?? clientQuery;
  const target = query ? `${init.path}?${query}` : init.path;
  const sub = requestFor(target, req, {
    method: init.method,
    headers,
    body: init.body,
    ...(init.body ? { duplex: "half" } : {}),
  } as RequestInit);
  return {
    req: sub,
    ctx: {
      logger: ctx.logger,
      txnId: ctx.txnId,
      remoteAddr: ctx.remoteAddr,
      startTime: Date.now(),
      env,
    },
  };
}
