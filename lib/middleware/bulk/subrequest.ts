/**
 * swift.common.wsgi.make_subrequest() as bulk uses it, on raw paths: the target is kept as
 * given (requestFor()), so an archive member or delete line naming `c/../o` reaches the
 * pipeline as that path and is never resolved into another container or account. As in
 * Swift, the client's query string goes along unless the path brings its own (bulk's
 * container HEAD/PUT and object PUT carry `?extract-archive=...`; its deletes set none).
 */
import type { RequestContext } from "../../server/context.ts";
import { requestFor } from "../../server/request_path.ts";
import { makeEnvHeaders, makeEnvKeys, subrequestContext } from "../subrequest.ts";

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
  const headers = makeEnvHeaders(req.headers);
  const agent = init.agent.replace("%(orig)s", req.headers.get("User-Agent") ?? "").trim();
  if (agent) headers.set("User-Agent", agent);
  else headers.delete("User-Agent");
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  const env = makeEnvKeys(ctx.env);
  env["swift.source"] = init.swiftSource;
  const query = init.query ?? clientQuery;
  const target = query ? `${init.path}?${query}` : init.path;
  const sub = requestFor(target, req, {
    method: init.method,
    headers,
    body: init.body,
    ...(init.body ? { duplex: "half" } : {}),
  } as RequestInit);
  return { req: sub, ctx: subrequestContext(ctx, env) };
}
