/**
 * swift.common.wsgi.make_env(), which every make_subrequest() and make_pre_authed_request() a
 * filter sends starts from: only a few client headers and environ keys go along (auth, caches,
 * the transaction id), so a subrequest cannot be steered by the client's Range or If-* headers,
 * and proxy_logging tells it from client traffic by `swift.source`.
 *
 * @module
 */
import type { RequestContext } from "../server/context.ts";

/** The client headers make_env() keeps (HTTP_* keys of its copy list). */
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
  "swift.source",
  "swift.trans_id",
  "swift.authorize_override",
  "swift.authorize",
  "swift.infocache",
  "swift.shard_listing_history",
];

/** The headers of `from` that make_env() copies into a subrequest. */
export function makeEnvHeaders(from: Headers): Headers {
  const headers = new Headers();
  for (const name of COPIED_HEADERS) {
    const value = from.get(name);
    if (value !== null) headers.set(name, value);
  }
  return headers;
}

/** The keys of the client's environ that make_env() copies into a subrequest's. */
export function makeEnvKeys(env: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of COPIED_ENV) if (key in env) out[key] = env[key];
  return out;
}

/** A subrequest's context: the client's logger, transaction and address, `env` as environ. */
export function subrequestContext(
  ctx: RequestContext,
  env: Record<string, unknown>,
  startTime: number = Date.now(),
): RequestContext {
  return { logger: ctx.logger, txnId: ctx.txnId, remoteAddr: ctx.remoteAddr, startTime, env };
}
