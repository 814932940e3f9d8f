/**
 * Closes connections that carry no request for client_timeout seconds: a client that never
 * finishes its request headers (slow loris), or a keep-alive connection left idle. eventlet
 * does the same through its per-read socket timeout; Deno.serve has no such timeout, and its
 * handler only sees a request once the headers are complete, so this watches from outside.
 */
import { shutdownSocket } from "./socket_options.ts";
import { canonicalIp, tcpSocketsOnPort, TcpState } from "./socket_table.ts";

/** Tracks requests per connection and ends connections idle for longer than `idleMs`. */
export class IdleReaper {
  readonly #port: number;
  readonly #idleMs: number;
  readonly #active = new Map<string, number>();
  readonly #idleSince = new Map<string, number>();
  #timer?: ReturnType<typeof setInterval>;

  constructor(port: number, idleMs: number) {
    this.#port = port;
    this.#idleMs = idleMs;
  }

  /** The key of a connection, as /proc and Deno both describe its remote end. */
  static keyOf(addr: Deno.NetAddr): string {
    return `${canonicalIp(addr.hostname)}|${addr.port}`;
  }

  /** A request started on the connection from `addr`; returns the key for end(). */
  begin(addr: Deno.NetAddr): string {
    const key = IdleReaper.keyOf(addr);
    this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
    return key;
  }

  /** The request started with begin() has been answered (or abandoned). */
  end(key: string): void {
    const count = (this.#active.get(key) ?? 1) - 1;
    if (count > 0) this.#active.set(key, count);
    else this.#active.delete(key);
    this.#idleSince.set(key, Date.now());
  }

  /** Ends connections idle past the limit; returns how many. */
  sweep(now = Date.now()): number {
    let closed = 0;
    const seen = new Set<string>();
    for (const socket of tcpSocketsOnPort(this.#port)) {
      if (socket.state !== TcpState.ESTABLISHED && socket.state !== TcpState.CLOSE_WAIT) continue;
      const key = `${socket.remoteIp}|${socket.remotePort}`;
      seen.add(key);
      if (this.#active.has(key)) continue;
      const since = this.#idleSince.get(key);
      if (since === undefined) {
        this.#idleSince.set(key, now);
      } else if (now - since >= this.#idleMs && shutdownSocket(socket.fd)) {
        this.#idleSince.delete(key);
        closed++;
      }
    }
    for (const key of this.#idleSince.keys()) if (!seen.has(key)) this.#idleSince.delete(key);
    return closed;
  }

  /** Sweeps periodically, often enough to cut connections within ~10% of the limit. */
  start(): void {
    const every = Math.min(5000, Math.max(250, this.#idleMs / 10));
    const timer = setInterval(() => this.sweep(), every);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops sweeping. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
