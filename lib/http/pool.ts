/**
 * Keep-alive connections per storage server. Swift's proxy opens a connection per backend
 * request; reusing them saves a TCP handshake (and a server accept) per request, which is
 * most of the cost of a small-object GET.
 *
 * A connection comes back only after a clean exchange (request fully sent, response fully
 * read, keep-alive on both sides, no error). Idle connections wait LIFO, at most
 * `maxIdlePerEndpoint` per server, for at most `idleTimeout` seconds, each with a read
 * pending so one the server closes while idle is dropped at once.
 *
 * @module
 */
import { connect, type ConnectOptions } from "./connect.ts";
import type { HttpConnection } from "./connection.ts";
import { type Endpoint, endpointKey, endpointLabel } from "./endpoint.ts";
import type { HeadLimits } from "./response_head.ts";

/** Pool settings. */
export interface PoolOptions {
  /** Idle connections kept per endpoint; more are closed when released. Default 32. */
  readonly maxIdlePerEndpoint?: number;
  /**
   * Seconds an idle connection is kept. Default 20, below the 60 s client_timeout after which
   * Swift's servers (and swiftd's) close idle keep-alive connections themselves.
   */
  readonly idleTimeout?: number;
  /** Response head limits for every connection of the pool. */
  readonly limits?: Partial<HeadLimits>;
}

/** Per-acquire timeouts, in seconds, plus `fresh` to skip idle connections. */
export interface AcquireOptions {
  /** Seconds to establish a new connection (conn_timeout). */
  readonly connTimeout: number;
  /** Seconds for the response head and each body read or write (node_timeout). */
  readonly nodeTimeout: number;
  /** Open a new connection even if an idle one exists (the retry after a stale one). */
  readonly fresh?: boolean;
}

interface Idle {
  readonly conn: HttpConnection;
  readonly since: number;
}

/** Keep-alive connections, grouped by endpoint. */
export class ConnectionPool {
  readonly #maxIdle: number;
  readonly #idleMs: number;
  readonly #limits: Partial<HeadLimits> | undefined;
  readonly #idle = new Map<string, Idle[]>();
  readonly #closers: Promise<unknown>[] = [];
  #idleCount = 0;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #release = (conn: HttpConnection) => this.#park(conn);

  /** Creates an empty pool. */
  constructor(options: PoolOptions = {}) {
    this.#maxIdle = options.maxIdlePerEndpoint ?? 32;
    this.#idleMs = (options.idleTimeout ?? 20) * 1000;
    this.#limits = options.limits;
  }

  /**
   * A connection to `endpoint`: the most recently parked live one (`reused` true), or a new
   * one. It returns to the pool by itself once its exchange completes cleanly.
   */
  async acquire(endpoint: Endpoint, options: AcquireOptions): Promise<HttpConnection> {
    if (this.#closed) {
      throw new Error(`Cannot connect to "${endpointLabel(endpoint)}": the pool is closed`);
    }
    if (!options.fresh) {
      const reused = this.#takeIdle(endpoint);
      if (reused !== null) {
        reused.reused = true;
        reused.nodeTimeout = options.nodeTimeout;
        return reused;
      }
    }
    const connectOptions: ConnectOptions = { ...options, limits: this.#limits };
    const conn = await connect(endpoint, connectOptions);
    if (this.#closed) {
      conn.close();
      throw new Error(`Cannot connect to "${endpointLabel(endpoint)}": the pool is closed`);
    }
    conn.setReleaseHandler(this.#release);
    return conn;
  }

  /** Idle connections to `endpoint`, or to all endpoints when omitted. */
  idleCount(endpoint?: Endpoint): number {
    if (endpoint === undefined) return this.#idleCount;
    return this.#idle.get(endpointKey(endpoint))?.length ?? 0;
  }

  /** Closes idle connections now and in-use ones when released; waits for their reads to end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopSweeper();
    for (const list of this.#idle.values()) {
      for (const { conn } of list) this.#closeIdle(conn);
    }
    this.#idle.clear();
    this.#idleCount = 0;
    await Promise.allSettled(this.#closers.splice(0));
  }

  #takeIdle(endpoint: Endpoint): HttpConnection | null {
    const list = this.#idle.get(endpointKey(endpoint));
    if (list === undefined) return null;
    const now = Date.now();
    while (list.length > 0) {
      const { conn, since } = list.pop()!;
      this.#idleCount--;
      if (now - since < this.#idleMs && conn.unpark()) return conn;
      this.#closeIdle(conn);
    }
    return null;
  }

  #park(conn: HttpConnection): void {
    const key = endpointKey(conn.endpoint);
    let list = this.#idle.get(key);
    if (list === undefined) {
      list = [];
      this.#idle.set(key, list);
    }
    if (this.#closed || list.length >= this.#maxIdle) {
      conn.close();
      return;
    }
    list.push({ conn, since: Date.now() });
    this.#idleCount++;
    conn.park(() => this.#drop(key, conn));
    this.#startSweeper();
  }

  /** The server closed (or wrote to) a parked connection. */
  #drop(key: string, conn: HttpConnection): void {
    const list = this.#idle.get(key);
    const at = list?.findIndex((idle) => idle.conn === conn) ?? -1;
    if (at === -1) return;
    list!.splice(at, 1);
    this.#idleCount--;
    conn.close();
  }

  #closeIdle(conn: HttpConnection): void {
    const pending = conn.pendingRead;
    conn.close();
    if (pending === null) return;
    const settled = pending.then(() => {}, () => {});
    this.#closers.push(settled);
    settled.then(() => {
      const at = this.#closers.indexOf(settled);
      if (at !== -1) this.#closers.splice(at, 1);
    });
  }

  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    const sweeper = setInterval(() => this.#sweep(), Math.max(this.#idleMs / 2, 10));
    // An idle pool must not keep the process alive.
    Deno.unrefTimer(sweeper);
    this.#sweeper = sweeper;
  }

  #stopSweeper(): void {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#idleMs;
    for (const [key, list] of this.#idle) {
      // Oldest first: the list is LIFO, so expired entries sit at the front.
      let expired = 0;
      while (expired < list.length && list[expired].since <= cutoff) expired++;
      for (const { conn } of list.splice(0, expired)) this.#closeIdle(conn);
      this.#idleCount -= expired;
      if (list.length === 0) this.#idle.delete(key);
    }
    if (this.#idleCount === 0) this.#stopSweeper();
  }
}
