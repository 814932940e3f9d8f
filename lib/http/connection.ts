/**
 * One HTTP/1.1 connection to a storage server, driven the way Swift's proxy drives
 * bufferedhttp: send the head, optionally wait for `100 Continue` (or a final answer meaning
 * "do not send"), stream the body with a write timeout per chunk, then read the response with
 * node_timeout for the head and for every body read.
 *
 *     const conn = await connect(endpoint, { connTimeout: 0.5, nodeTimeout: 10 });
 *     await conn.sendHead({ method: "PUT", path, headers: { ..., Expect: "100-continue" } });
 *     const answer = await conn.waitForContinue();
 *     if (answer.kind === "continue") await conn.writeBody(chunks);
 *     const response = await conn.readResponse();
 *
 * @module
 */
import { Socket } from "./_socket.ts";
import { type Endpoint, endpointLabel } from "./endpoint.ts";
import { chunkHeader, CRLF, frameChunk, LAST_CHUNK } from "./_chunk_framing.ts";
import type { ConnectOptions } from "./connect.ts";
import { BadResponse } from "./errors.ts";
import {
  encodeRequestHead,
  HeadBuffer,
  type RequestBodyMode,
  type RequestHead,
} from "./request_head.ts";
import { BackendResponse } from "./response.ts";
import { type BodyHooks, BodyReader } from "./response_body.ts";
import { responseFraming } from "./response_framing.ts";
import { DEFAULT_HEAD_LIMITS, type HeadLimits, readResponseHead } from "./response_head.ts";
import type { ResponseHeaders } from "./response_headers.ts";

/** What waitForContinue() got: `100 Continue`, or the server's final answer. */
export type ContinueOutcome =
  | { readonly kind: "continue"; readonly headers: ResponseHeaders }
  | { readonly kind: "response"; readonly response: BackendResponse };

/** Head plus body up to this size go out in one write (one packet for small objects). */
const COALESCE_LIMIT = 64 * 1024;
/**
 * Chunks up to 128 KiB are framed by copying into one buffer and sent in one write; the
 * proxy's 64 KiB client chunks land here, and three writes each (size line, data, CRLF) cost
 * far more than a memcpy.
 */
const FRAME_SCRATCH = 128 * 1024 + 32;
const EMPTY = new Uint8Array(0);

/** A connection carrying one request at a time. */
export class HttpConnection {
  /** The server at the other end. */
  readonly endpoint: Endpoint;
  /** True when a pool handed out this connection after it had served a request already. */
  reused = false;
  /** Seconds for the response head and each body read or write; a pool resets it per use. */
  nodeTimeout: number;

  readonly #socket: Socket;
  readonly #limits: HeadLimits;
  readonly #head = new HeadBuffer();
  #scratch: Uint8Array | null = null;
  #busy = false;
  #writing = false;
  #method = "";
  #path = "";
  #bodyMode: RequestBodyMode = "none";
  #contentLength = 0;
  #bodyRemaining = 0;
  #bodyEnded = true;
  #bodyBytesSent = 0;
  #final: BackendResponse | null = null;
  #responseDone = false;
  #reusable = true;
  #receivedAtStart = 0;
  #release: ((conn: HttpConnection) => void) | null = null;
  readonly #hooks: BodyHooks = {
    done: () => {
      this.#responseDone = true;
      this.#maybeFinish();
    },
    abort: () => this.#break(),
  };

  /** Wraps an open TCP connection; connect() is the usual way to get one. */
  constructor(conn: Deno.TcpConn, endpoint: Endpoint, options: ConnectOptions) {
    this.#socket = new Socket(conn, endpoint);
    this.endpoint = endpoint;
    this.nodeTimeout = options.nodeTimeout;
    this.#limits = { ...DEFAULT_HEAD_LIMITS, ...options.limits };
  }

  /** True once closed (by close(), an error, a timeout, or a non-reusable exchange ending). */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /** True from sendHead() until both the request body and the response body are complete. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Bytes written after the head of the current request, chunk framing included. */
  get bodyBytesSent(): number {
    return this.#bodyBytesSent;
  }

  /** Whether any byte of a response to the current request has arrived. */
  get responseStarted(): boolean {
    return this.#socket.received > this.#receivedAtStart;
  }

  /** Sends the request head. The body framing (none, Content-Length, chunked) follows from it. */
  async sendHead(head: RequestHead): Promise<void> {
    this.#begin(head);
    await this.#send(this.#head.view(), "sending the request head");
  }

  /** sendHead() plus the whole body (small bodies share the head's write), then end(). */
  async sendRequest(head: RequestHead, body: Uint8Array = EMPTY): Promise<void> {
    this.#begin(head);
    const head_ = this.#head;
    if (this.#bodyMode === "chunked") {
      await this.#send(head_.view(), "sending the request head");
      await this.write(body);
      await this.end();
      return;
    }
    if (body.length !== this.#contentLength) {
      this.#busy = false;
      throw new TypeError(
        `Cannot send ${this.#what()}: body of ${body.length} bytes but Content-Length is ${this.#contentLength}`,
      );
    }
    const headLength = head_.length;
    if (body.length > 0 && headLength + body.length <= COALESCE_LIMIT) head_.append(body);
    const sentBefore = this.#socket.sent;
    try {
      await this.#send(head_.view(), "sending the request");
      if (head_.length === headLength && body.length > 0) {
        await this.#send(body, "sending the request body");
      }
    } finally {
      this.#bodyBytesSent = Math.max(0, this.#socket.sent - sentBefore - headLength);
    }
    this.#bodyRemaining = 0;
    this.#bodyEnded = true;
  }

  /**
   * Reads what the server said to `Expect: 100-continue`: "continue" (send the body), or its
   * final response (do not send). Skips other 1xx. May be called again after the body for a
   * second 100 (Swift's multiphase commit). The whole head must arrive within `seconds`.
   */
  async waitForContinue(seconds: number = this.nodeTimeout): Promise<ContinueOutcome> {
    if (this.#final !== null) return { kind: "response", response: this.#final };
    this.#checkBusy("wait for 100 Continue");
    for (;;) {
      const head = await this.#readHead(seconds);
      if (head.status === 100) return { kind: "continue", headers: head.headers };
      if (head.status >= 200) return { kind: "response", response: this.#finalize(head) };
      this.#refuseUpgrade(head.status);
    }
  }

  /**
   * Sends one body chunk, framed per the head; resolves once the socket took it all (the
   * backpressure), or fails after node_timeout with ChunkWriteTimeout. An empty chunk is
   * skipped (in chunked mode it would end the body). Refused after a final response.
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.#checkWritable();
    if (chunk.length === 0) return;
    if (this.#bodyMode === "length") {
      if (chunk.length > this.#bodyRemaining) {
        this.#break();
        throw new RangeError(
          `Cannot send ${chunk.length} more body bytes of ${this.#what()}: Content-Length ${this.#contentLength} leaves ${this.#bodyRemaining}`,
        );
      }
      this.#bodyRemaining -= chunk.length;
      await this.#sendBody(chunk);
      return;
    }
    const scratch = this.#scratch ??= new Uint8Array(FRAME_SCRATCH);
    const framed = frameChunk(chunk, scratch);
    if (framed !== -1) {
      await this.#sendBody(scratch.subarray(0, framed));
      return;
    }
    // Too big to copy: three writes beat copying megabytes (Deno has no writev).
    await this.#sendBody(chunkHeader(chunk.length));
    await this.#sendBody(chunk);
    await this.#sendBody(CRLF);
  }

  /** Ends the body: the last chunk in chunked mode; in Content-Length mode, checks it is all sent. */
  async end(): Promise<void> {
    if (this.#bodyEnded) return;
    this.#checkWritable();
    if (this.#bodyMode === "length" && this.#bodyRemaining > 0) {
      this.#break();
      throw new RangeError(
        `Cannot end the body of ${this.#what()}: ${
          this.#contentLength - this.#bodyRemaining
        } of ${this.#contentLength} bytes sent`,
      );
    }
    if (this.#bodyMode === "chunked") await this.#sendBody(LAST_CHUNK);
    this.#bodyEnded = true;
    this.#maybeFinish();
  }

  /** Writes every chunk of `source` in order, then end(); returns the body bytes written. */
  async writeBody(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
    let total = 0;
    for await (const chunk of source) {
      await this.write(chunk);
      total += chunk.length;
    }
    await this.end();
    return total;
  }

  /**
   * Reads the final response, skipping any 1xx (several 100s included); returns the one
   * waitForContinue() already read, if any. The whole head must arrive within `seconds`.
   */
  async readResponse(seconds: number = this.nodeTimeout): Promise<BackendResponse> {
    if (this.#final !== null) return this.#final;
    this.#checkBusy("read a response");
    for (;;) {
      const head = await this.#readHead(seconds);
      if (head.status >= 200) return this.#finalize(head);
      this.#refuseUpgrade(head.status);
    }
  }

  /** Closes the connection now; a pending read, write or body stream fails. Idempotent. */
  close(): void {
    this.#busy = false;
    this.#socket.close();
  }

  /** Where the connection goes once an exchange completes and it can be reused (a pool). */
  setReleaseHandler(release: ((conn: HttpConnection) => void) | null): void {
    this.#release = release;
  }

  /** Keeps a read pending while idle; `onDead` runs if the server closes or talks meanwhile. */
  park(onDead: () => void): void {
    this.#socket.park(onDead);
  }

  /** Ends park(); false if the server closed the connection while it was parked. */
  unpark(): boolean {
    return this.#socket.unpark();
  }

  /** The read left pending by park(), for a closer that waits until it settles. */
  get pendingRead(): Promise<unknown> | null {
    return this.#socket.pendingRead;
  }

  #begin(head: RequestHead): void {
    const where = `${head.method} ${head.path} to "${endpointLabel(this.endpoint)}"`;
    if (this.#socket.closed) throw new Error(`Cannot send ${where}: the connection is closed`);
    if (this.#busy) {
      throw new Error(`Cannot send ${where}: ${this.#what()} is still in progress`);
    }
    const facts = encodeRequestHead(this.endpoint, head, this.#head);
    this.#busy = true;
    this.#method = head.method;
    this.#path = head.path;
    this.#bodyMode = facts.bodyMode;
    this.#contentLength = facts.contentLength;
    this.#bodyRemaining = facts.contentLength;
    this.#bodyEnded = facts.bodyMode === "none";
    this.#bodyBytesSent = 0;
    this.#final = null;
    this.#responseDone = false;
    this.#receivedAtStart = this.#socket.received;
    if (facts.closeRequested) this.#reusable = false;
  }

  async #send(bytes: Uint8Array, when: string): Promise<void> {
    try {
      await this.#socket.write(bytes, this.nodeTimeout, when);
    } catch (err) {
      this.#break();
      throw err;
    }
  }

  async #sendBody(bytes: Uint8Array): Promise<void> {
    const before = this.#socket.sent;
    this.#writing = true;
    try {
      await this.#send(bytes, "sending the request body");
    } finally {
      this.#writing = false;
      this.#bodyBytesSent += this.#socket.sent - before;
    }
  }

  async #readHead(seconds: number) {
    const socket = this.#socket;
    socket.armRead(seconds, "response");
    try {
      return await readResponseHead(socket, this.#limits);
    } catch (err) {
      this.#break();
      throw err;
    } finally {
      socket.disarmRead();
    }
  }

  #finalize(head: Awaited<ReturnType<typeof readResponseHead>>): BackendResponse {
    const socket = this.#socket;
    let decision;
    try {
      decision = responseFraming(this.endpoint, this.#method, head);
    } catch (err) {
      this.#break();
      throw err;
    }
    if (!decision.keepAlive) this.#reusable = false;
    const framing = decision.framing;
    let response: BackendResponse;
    if (framing.kind === "none") {
      response = new BackendResponse(this.endpoint, head, 0, { preloaded: EMPTY });
      this.#responseDone = true;
    } else if (framing.kind === "length" && socket.buffered >= framing.length) {
      // The whole body came with the head (small objects): copy it out, free the connection.
      const preloaded = socket.buf.slice(socket.start, socket.start + framing.length);
      socket.start += framing.length;
      response = new BackendResponse(this.endpoint, head, framing.length, { preloaded });
      this.#responseDone = true;
    } else {
      const reader = new BodyReader(socket, framing, {
        seconds: this.nodeTimeout,
        maxLineLength: this.#limits.maxLineLength,
        hooks: this.#hooks,
      });
      const length = framing.kind === "length" ? framing.length : null;
      response = new BackendResponse(this.endpoint, head, length, { reader });
    }
    this.#final = response;
    this.#maybeFinish();
    return response;
  }

  #maybeFinish(): void {
    if (!this.#busy || !this.#responseDone) return;
    if (!this.#bodyEnded) {
      // The server answered without (all of) the body: it will not read the rest, and the
      // connection is out of step for another request.
      this.close();
      return;
    }
    this.#busy = false;
    const socket = this.#socket;
    if (!this.#reusable || socket.closed || socket.buffered > 0) {
      this.close();
      return;
    }
    this.#release?.(this);
  }

  #break(): void {
    this.#reusable = false;
    this.close();
  }

  #checkBusy(action: string): void {
    if (!this.#busy) {
      throw new Error(
        `Cannot ${action} from "${endpointLabel(this.endpoint)}": no request is in progress`,
      );
    }
  }

  #checkWritable(): void {
    if (this.#final !== null) {
      throw new Error(
        `Cannot send the body of ${this.#what()}: the server already answered ${this.#final.status}`,
      );
    }
    this.#checkBusy("send a body");
    if (this.#bodyEnded) {
      throw new Error(
        `Cannot send the body of ${this.#what()}: ${
          this.#bodyMode === "none" ? "its head declares no body" : "the body was ended"
        }`,
      );
    }
    if (this.#writing) {
      throw new Error(`Cannot send the body of ${this.#what()}: the previous write is pending`);
    }
  }

  #refuseUpgrade(status: number): void {
    if (status !== 101) return;
    this.#break();
    throw new BadResponse(this.endpoint, `status 101 to ${this.#what()}, which asked no upgrade`);
  }

  #what(): string {
    return `${this.#method} ${this.#path} to "${endpointLabel(this.endpoint)}"`;
  }
}
