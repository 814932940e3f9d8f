/**
 * A TCP connection with a read buffer and eventlet-style timeouts: a deadline armed around a
 * read or write closes the socket when it passes, which makes the pending Deno op reject; the
 * op's caller then sees the timeout error instead of "operation canceled". No Promise.race and
 * no setTimeout per operation (see _lazy_timer.ts) keep the hot path cheap.
 *
 * While parked (idle in a pool) a read stays pending, so a server that closes an idle
 * keep-alive connection is noticed at once instead of by the next request; the next request
 * then consumes that same pending read, so nothing is lost.
 *
 * @module
 */
import { LazyTimer } from "./_lazy_timer.ts";
import type { Endpoint } from "./endpoint.ts";
import {
  type BackendError,
  BackendIOError,
  ChunkReadTimeout,
  ChunkWriteTimeout,
  ResponseTimeout,
  socketError,
} from "./errors.ts";

/** Which error a read timeout raises: waiting for the head, or for a body chunk. */
export type ReadTimeoutKind = "response" | "chunk";

/** Initial read buffer; grows (up to the head line limit) only for long header lines. */
const INITIAL_BUFFER = 16 * 1024;

/** Buffered, timed I/O on one TCP connection. Private to lib/http. */
export class Socket {
  /** The server this socket is connected to. */
  readonly endpoint: Endpoint;
  /** Read buffer; unread bytes are `buf[start, end)`. */
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_BUFFER);
  /** First unread byte in `buf`. */
  start = 0;
  /** End of the bytes read into `buf`. */
  end = 0;
  /** Bytes read from the socket since it opened. */
  received = 0;
  /** Bytes written to the socket since it opened. */
  sent = 0;

  #conn: Deno.TcpConn;
  #closed = false;
  #failure: BackendError | null = null;
  #pending: Promise<number | null> | null = null;
  #parked = false;
  #dead = false;
  #readSeconds = 0;
  #readKind: ReadTimeoutKind = "response";
  #writeSeconds = 0;
  readonly #readTimer = new LazyTimer(() =>
    this.#fail(
      this.#readKind === "response"
        ? new ResponseTimeout(this.endpoint, this.#readSeconds)
        : new ChunkReadTimeout(this.endpoint, this.#readSeconds),
    )
  );
  readonly #writeTimer = new LazyTimer(() =>
    this.#fail(new ChunkWriteTimeout(this.endpoint, this.#writeSeconds))
  );

  /** Wraps an open connection to `endpoint`. */
  constructor(conn: Deno.TcpConn, endpoint: Endpoint) {
    this.#conn = conn;
    this.endpoint = endpoint;
  }

  /** True once closed, by us or by a timeout. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Unread bytes in the buffer. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Starts the read timeout; stays armed across fill() calls until disarmRead(). */
  armRead(seconds: number, kind: ReadTimeoutKind): void {
    if (!(seconds > 0) || seconds === Infinity) {
      this.#readTimer.disarm();
      return;
    }
    this.#readSeconds = seconds;
    this.#readKind = kind;
    this.#readTimer.arm(seconds * 1000);
  }

  /** Stops the read timeout. */
  disarmRead(): void {
    this.#readTimer.disarm();
  }

  /**
   * Reads more bytes into `buf` after `end`, compacting or growing it up to `maxSize` first.
   * Returns false at end of stream. `when` names the activity for error messages.
   */
  async fill(when: string, maxSize: number): Promise<boolean> {
    let pending = this.#pending;
    if (pending === null) {
      this.#makeRoom(maxSize);
      pending = this.#conn.read(this.buf.subarray(this.end));
    } else {
      this.#pending = null;
    }
    let n: number | null;
    try {
      n = await pending;
    } catch (err) {
      throw this.#error(when, err);
    }
    if (this.#failure !== null) throw this.#failure;
    if (n === null) return false;
    this.end += n;
    this.received += n;
    return true;
  }

  /** Reads straight into `target` (large body reads skip the buffer); null at end of stream. */
  async readInto(target: Uint8Array, when: string): Promise<number | null> {
    // Only head reads follow park(), so a body read never finds the parked read pending.
    if (this.#pending !== null) throw new Error("readInto() called with a parked read pending");
    let n: number | null;
    try {
      n = await this.#conn.read(target);
    } catch (err) {
      throw this.#error(when, err);
    }
    if (this.#failure !== null) throw this.#failure;
    if (n !== null) this.received += n;
    return n;
  }

  /** Writes all of `bytes`, the whole write limited to `seconds` (ChunkWriteTimeout). */
  async write(bytes: Uint8Array, seconds: number, when: string): Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    const timed = seconds > 0 && seconds !== Infinity;
    if (timed) {
      this.#writeSeconds = seconds;
      this.#writeTimer.arm(seconds * 1000);
    }
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const n = await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
        offset += n;
        this.sent += n;
      }
    } catch (err) {
      throw this.#error(when, err);
    } finally {
      if (timed) this.#writeTimer.disarm();
    }
    if (this.#failure !== null) throw this.#failure;
  }

  /**
   * Leaves a read pending while the connection sits unused; `onDead` runs if the server closes
   * it or sends anything (an unsolicited byte means the connection is out of step) meanwhile.
   */
  park(onDead: () => void): void {
    this.start = this.end = 0;
    this.#parked = true;
    const pending = this.#conn.read(this.buf);
    const settled = () => {
      if (!this.#parked) return;
      this.#dead = true;
      onDead();
    };
    pending.then(settled, settled);
    this.#pending = pending;
  }

  /** Takes the connection out of the parked state; false if the server closed it meanwhile. */
  unpark(): boolean {
    this.#parked = false;
    return !this.#dead && !this.#closed;
  }

  /** The read left pending by park(), so a closer can wait for it to settle. */
  get pendingRead(): Promise<unknown> | null {
    return this.#pending;
  }

  /** Closes the socket; pending operations reject. Idempotent. */
  close(): void {
    this.#readTimer.clear();
    this.#writeTimer.clear();
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno after a fatal error; nothing left to release.
    }
  }

  #fail(err: BackendError): void {
    if (this.#failure === null) this.#failure = err;
    this.close();
  }

  #error(when: string, err: unknown): BackendError {
    if (this.#failure !== null) return this.#failure;
    if (this.#closed) {
      return new BackendIOError(this.endpoint, when, new Error("the client closed the connection"));
    }
    return socketError(this.endpoint, when, err);
  }

  #makeRoom(maxSize: number): void {
    if (this.start === this.end) {
      this.start = this.end = 0;
      return;
    }
    const room = this.buf.length - this.end;
    if (room > 0 && (this.start === 0 || room >= 4096)) return;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      return;
    }
    // One head line fills the whole buffer: grow, bounded by the caller's line limit.
    const size = Math.min(this.buf.length * 2, Math.max(maxSize, this.buf.length + 1));
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.end));
    this.buf = grown;
  }
}
