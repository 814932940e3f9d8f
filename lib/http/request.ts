/**
 * One backend request in one call, the way Swift's proxy makes them (base.py _make_request,
 * obj.py _connect_put_node): request() for GET/HEAD/DELETE/POST and small PUTs, and
 * expectContinue() for object PUTs that stream their body after `100 Continue`.
 *
 * With a pool, a request that fails on a reused connection before any response byte arrives
 * (the server closed it while idle; the close crossed our request on the wire) is sent again,
 * once, on a new connection: always for idempotent methods, for PUT only if no body byte
 * went out. Without a pool each request gets its own connection, closed after the response.
 *
 * @module
 */
import { connect } from "./connect.ts";
import type { ContinueOutcome, HttpConnection } from "./connection.ts";
import type { Endpoint } from "./endpoint.ts";
import { BrokenPipe, ConnectionReset, RemoteDisconnected } from "./errors.ts";
import type { ConnectionPool } from "./pool.ts";
import { type HeaderInput, headerPairs, type RequestHead } from "./request_head.ts";
import type { BackendResponse } from "./response.ts";

/** A backend request: where it goes, its timeouts in seconds, and an optional pool. */
export interface RequestOptions {
  readonly method: string;
  /** Already-quoted path with any query string, sent verbatim. */
  readonly path: string;
  readonly headers?: HeaderInput;
  /** A small body sent whole; Content-Length is added when the headers lack it. */
  readonly body?: Uint8Array;
  /** Seconds to connect (Swift's conn_timeout). */
  readonly connTimeout: number;
  /** Seconds for the response head and each body read or write (Swift's node_timeout). */
  readonly nodeTimeout: number;
  /** Keep-alive pool to take the connection from and return it to. */
  readonly pool?: ConnectionPool;
}

/** An expectContinue() request: a PUT (usually) whose body the caller streams afterwards. */
export type ExpectContinueOptions = Omit<RequestOptions, "body">;

/** expectContinue()'s answer, with the connection to stream the body on (or read from). */
export type ExpectContinueResult = ContinueOutcome & { readonly connection: HttpConnection };

// RFC 9110 9.2.2; PUT is idempotent too, but only resendable while none of its body is gone.
const IDEMPOTENT = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "PUT"]);

/**
 * Sends one request and returns the response, its body still to be read (consume or cancel
 * it: that frees the connection).
 */
export async function request(
  endpoint: Endpoint,
  options: RequestOptions,
): Promise<BackendResponse> {
  const body = options.body;
  const head: RequestHead = {
    method: options.method,
    path: options.path,
    headers: body !== undefined && body.length > 0
      ? withContentLength(options.headers, body.length)
      : options.headers,
  };
  return await withRetry(endpoint, options, async (conn) => {
    await conn.sendRequest(head, body);
    return await conn.readResponse();
  });
}

/**
 * Connects, sends the head with `Expect: 100-continue` (added if absent) and waits for the
 * server's answer: "continue" means stream the body on `connection` (write()/writeBody(),
 * then readResponse()); "response" is the final answer (507, 409, ...) and no body is sent.
 */
export async function expectContinue(
  endpoint: Endpoint,
  options: ExpectContinueOptions,
): Promise<ExpectContinueResult> {
  const headers = headerPairs(options.headers);
  if (!headers.some(([name]) => name.toLowerCase() === "expect")) {
    headers.push(["Expect", "100-continue"]);
  }
  const head: RequestHead = { method: options.method, path: options.path, headers };
  return await withRetry(endpoint, options, async (conn) => {
    await conn.sendHead(head);
    return { ...await conn.waitForContinue(), connection: conn };
  });
}

async function withRetry<T>(
  endpoint: Endpoint,
  options: ExpectContinueOptions,
  exchange: (conn: HttpConnection) => Promise<T>,
): Promise<T> {
  const conn = await open(endpoint, options, false);
  try {
    return await exchange(conn);
  } catch (err) {
    conn.close();
    if (!isStaleConnection(conn, err, options.method)) throw err;
  }
  const retry = await open(endpoint, options, true);
  try {
    return await exchange(retry);
  } catch (err) {
    retry.close();
    throw err;
  }
}

async function open(
  endpoint: Endpoint,
  options: ExpectContinueOptions,
  fresh: boolean,
): Promise<HttpConnection> {
  const timeouts = { connTimeout: options.connTimeout, nodeTimeout: options.nodeTimeout };
  if (options.pool !== undefined) {
    return await options.pool.acquire(endpoint, { ...timeouts, fresh });
  }
  const conn = await connect(endpoint, timeouts);
  // Not pooled: close once the exchange is over instead of keeping it alive.
  conn.setReleaseHandler((done) => done.close());
  return conn;
}

/** Whether `err` on `conn` is the server having closed a reused connection, safe to resend. */
function isStaleConnection(conn: HttpConnection, err: unknown, method: string): boolean {
  if (!conn.reused || conn.responseStarted || !IDEMPOTENT.has(method)) return false;
  if (method === "PUT" && conn.bodyBytesSent > 0) return false;
  return err instanceof RemoteDisconnected || err instanceof ConnectionReset ||
    err instanceof BrokenPipe;
}

function withContentLength(input: HeaderInput | undefined, length: number): HeaderInput {
  const list = headerPairs(input);
  if (!list.some(([name]) => name.toLowerCase() === "content-length")) {
    list.push(["Content-Length", String(length)]);
  }
  return list;
}
