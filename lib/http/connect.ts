/**
 * Opening a connection to a storage server within conn_timeout.
 *
 * @module
 */
import { HttpConnection } from "./connection.ts";
import type { Endpoint } from "./endpoint.ts";
import { connectError, ConnectionTimeout } from "./errors.ts";
import type { HeadLimits } from "./response_head.ts";

/** Timeouts (in seconds, as Swift configures them) and head limits for a connection. */
export interface ConnectOptions {
  /** Seconds to establish the TCP connection (Swift's conn_timeout, 0.5 by default). */
  readonly connTimeout: number;
  /** Seconds for the response head, and for each body read or write (node_timeout, 10). */
  readonly nodeTimeout: number;
  /** Limits on the response head; unset fields take DEFAULT_HEAD_LIMITS. */
  readonly limits?: Partial<HeadLimits>;
}

/** Opens a connection to `endpoint`, giving up after `connTimeout` (ConnectionTimeout). */
export async function connect(
  endpoint: Endpoint,
  options: ConnectOptions,
): Promise<HttpConnection> {
  const controller = new AbortController();
  let timedOut = false;
  const seconds = options.connTimeout;
  const timer = seconds > 0 && seconds !== Infinity
    ? setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, seconds * 1000)
    : undefined;
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({
      hostname: endpoint.host,
      port: endpoint.port,
      signal: controller.signal,
    });
  } catch (err) {
    if (timedOut) throw new ConnectionTimeout(endpoint, seconds);
    throw connectError(endpoint, err);
  } finally {
    clearTimeout(timer);
  }
  // Like bufferedhttp: a head, a chunk header or a last chunk must not wait for an ACK.
  conn.setNoDelay(true);
  return new HttpConnection(conn, endpoint, options);
}
