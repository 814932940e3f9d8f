/**
 * The swob and WSGIContext moves that symlink and versioned_writes make: a request whose
 * PATH_INFO, QUERY_STRING, method and headers a filter rewrites before passing it on
 * (`req.path_info = ...; req.get_response(self.app)`), and make_subrequest() /
 * make_pre_authed_request() on raw paths. Paths here are WSGI strings (one char per byte), so
 * names with `..`, `%2F` or bytes that are not UTF-8 reach the proxy as Swift sends them.
 *
 * As in Swift, a subrequest whose path brings no `?query` inherits the client's QUERY_STRING
 * (make_env() copies it), which is why callers clear `query` where Swift clears it.
 */
import { decodeLatin1 } from "../../common/python_codecs.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import { rawPath, rawQuery, requestFor } from "../../server/request_path.ts";
import type { Handler } from "../compose.ts";
import { swobParams, wsgiUnquote } from "../swob_params.ts";
import { makeEnvHeaders, makeEnvKeys, subrequestContext } from "../subrequest.ts";

export { encodeParams, wsgiUnquote } from "../swob_params.ts";

/** Deno hands non-ASCII request-line bytes over as UTF-8 characters; WSGI has the bytes. */
function wsgiOf(text: string): string {
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  return decodeLatin1(new TextEncoder().encode(text));
}

/** PATH_INFO of a request: the raw path, %XX decoded, one char per byte. */
export function pathInfoOf(req: Request): string {
  return wsgiUnquote(wsgiOf(rawPath(req)));
}

/** QUERY_STRING of a request, as the client sent it. */
export function queryOf(req: Request): string {
  return wsgiOf(rawQuery(req));
}

/** A request a filter may rewrite (swob.Request over its environ) before sending it on. */
export class WsgiRequest {
  method: string;
  /** PATH_INFO (WSGI string). */
  pathInfo: string;
  /** QUERY_STRING, without "?". */
  query: string;
  body: ReadableStream<Uint8Array> | null;
  readonly ctx: RequestContext;
  /** The request this one came from (its origin; the original target while unchanged). */
  readonly base: Request;
  /** The client's PATH_INFO and QUERY_STRING (of()), whose raw target is kept while unchanged. */
  #client: { readonly pathInfo: string; readonly query: string } | undefined;
  /**
   * The headers, copied from the client's on first use: a filter that only passes a request
   * on (most requests, for symlink and versioning) then sends the client's Request itself
   * instead of paying for a copy of its headers and a new Request.
   */
  #headers: Headers | undefined;

  constructor(
    base: Request,
    ctx: RequestContext,
    parts: {
      method: string;
      pathInfo: string;
      query: string;
      /** undefined: the base request's, copied on first use. */
      headers: Headers | undefined;
      body: ReadableStream<Uint8Array> | null;
    },
  ) {
    this.base = base;
    this.ctx = ctx;
    this.method = parts.method;
    this.pathInfo = parts.pathInfo;
    this.query = parts.query;
    this.#headers = parts.headers;
    this.body = parts.body;
  }

  /** The headers, as they are now (swob's req.headers). */
  get headers(): Headers {
    this.#headers ??= new Headers(this.base.headers);
    return this.#headers;
  }

  set headers(headers: Headers) {
    this.#headers = headers;
  }

  /** The client request as a WsgiRequest sharing its environ. */
  static of(req: Request, ctx: RequestContext): WsgiRequest {
    const wsgi = new WsgiRequest(req, ctx, {
      method: req.method,
      pathInfo: pathInfoOf(req),
      query: queryOf(req),
      headers: undefined,
      body: req.body,
    });
    wsgi.#client = { pathInfo: wsgi.pathInfo, query: wsgi.query };
    return wsgi;
  }

  /** Whether the target is still the client's (quoting is one-to-one, so no need to quote). */
  #clientTarget(): boolean {
    return this.#client !== undefined && this.pathInfo === this.#client.pathInfo &&
      this.query === this.#client.query;
  }

  /** Whether this is the client's request as it came, so that it can be sent as it is. */
  #unchanged(hasBody: boolean): boolean {
    return this.#headers === undefined && this.method === this.base.method &&
      this.body === this.base.body && (hasBody || this.base.body === null) &&
      this.#clientTarget();
  }

  #quoted(): string {
    return wsgiQuote(this.pathInfo) + (this.query ? `?${this.query}` : "");
  }

  /** swob's req.params: the query decoded as latin-1, the last of a repeated name winning. */
  get params(): Map<string, string> {
    return swobParams(this.query);
  }

  /** The Fetch request for what this one says now. */
  toRequest(): Request {
    const hasBody = this.body !== null && this.method !== "GET" && this.method !== "HEAD";
    if (this.#unchanged(hasBody)) return this.base;
    // Keep the client's own target (its quoting, dot segments) while nothing changed.
    const target = this.#clientTarget()
      ? rawPath(this.base) + (rawQuery(this.base) ? `?${rawQuery(this.base)}` : "")
      : this.#quoted();
    return requestFor(target, this.base, {
      method: this.method,
      headers: this.headers,
      body: hasBody ? this.body : undefined,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  }

  /** The request as it is now, without its body (for swift.authorize). */
  peek(): Request {
    return requestFor(this.#quoted(), this.base, { method: this.method, headers: this.headers });
  }

  /** req.get_response(app). */
  send(next: Handler): Promise<Response> {
    const req = this.toRequest();
    this.body = null;
    return next(req, this.ctx);
  }
}

/** What a filter asks make_subrequest()/make_pre_authed_request() for. */
export interface SubrequestInit {
  readonly method: string;
  /** Quoted path, with `?query` when the subrequest has its own query string. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | null | undefined>> | Headers;
  readonly body?: ReadableStream<Uint8Array> | null;
  readonly swiftSource?: string;
  /** make_pre_authed_request(): swift.authorize lets everything through. */
  readonly preAuthed?: boolean;
}

/** make_subrequest(env, ...) / make_pre_authed_request(env, ...) with agent "Swift". */
export function subrequest(from: WsgiRequest, init: SubrequestInit): WsgiRequest {
  const headers = makeEnvHeaders(from.headers);
  headers.set("User-Agent", "Swift");
  const extra = init.headers instanceof Headers
    ? [...init.headers]
    : Object.entries(init.headers ?? {});
  for (const [name, value] of extra) {
    // swob drops a header set to None.
    if (value !== null && value !== undefined) headers.set(name, value);
  }
  const env = makeEnvKeys(from.ctx.env);
  if (init.swiftSource) env["swift.source"] = init.swiftSource;
  if (init.preAuthed) {
    env["swift.authorize"] = () => undefined;
    env["swift.authorize_override"] = true;
    env.REMOTE_USER = ".wsgi.pre_authed";
  }
  const at = init.path.indexOf("?");
  const path = at < 0 ? init.path : init.path.slice(0, at);
  const query = at < 0 ? from.query : init.path.slice(at + 1);
  const ctx = subrequestContext(from.ctx, env);
  return new WsgiRequest(from.base, ctx, {
    method: init.method,
    pathInfo: wsgiUnquote(path),
    query,
    headers,
    body: init.body ?? null,
  });
}

/** A response whose status and headers a filter may change (WSGIContext's view of it). */
export function mutable(resp: Response, body: BodyInit | null = resp.body): Response {
  return new Response(body, {
    status: resp.status,
    statusText: resp.statusText,
    headers: new Headers(resp.headers),
  });
}

/** drain_and_close(): reads what is left of a (short) body and drops it. */
export async function drain(resp: Response): Promise<void> {
  if (resp.body && !resp.bodyUsed) await resp.arrayBuffer().catch(() => {});
}

/** A response raised as an exception (Swift raises auth's denial and HTTPException). */
export class RaisedResponse extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
    this.name = "RaisedResponse";
  }
}

/** is_success(). */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** swob's resp.content_length: Content-Length as an int, or undefined. */
export function contentLength(headers: Headers): number | undefined {
  const value = headers.get("Content-Length");
  if (value === null) return undefined;
  const n = Number(value.trim());
  return Number.isInteger(n) ? n : undefined;
}
