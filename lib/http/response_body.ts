/**
 * Pulls a response body off the socket, one chunk per call, for each framing: Content-Length,
 * chunked, or until the server closes. Every socket read gets node_timeout (ChunkReadTimeout),
 * as Swift wraps each backend read. Bytes already buffered with the head are copied out (the
 * buffer is reused for the next response); larger reads go straight into a fresh chunk the
 * consumer then owns, so a 5 GiB object costs one allocation per read and nothing more.
 *
 * @module
 */
import { excerpt, type LineBounds, readLine } from "./_line_reader.ts";
import type { Socket } from "./_socket.ts";
import { BadResponse, IncompleteRead } from "./errors.ts";
import type { ResponseFraming } from "./response_framing.ts";

/** What the connection does when the body ends: reuse it, or close it. */
export interface BodyHooks {
  /** The last byte was read; the connection may serve another request. */
  done(): void;
  /** Reading failed or the consumer gave up: the connection is out of step and must close. */
  abort(): void;
}

/** Largest single read into a fresh chunk. */
const READ_SIZE = 64 * 1024;
/** Chunk-size lines are short; a long one is garbage, not a big chunk. */
const MAX_CHUNK_LINE = 4096;

type State = "data" | "size" | "crlf" | "trailers" | "done" | "failed";

/** Reads one response body; next() returns null once it is complete. */
export class BodyReader {
  readonly #socket: Socket;
  readonly #kind: ResponseFraming["kind"];
  readonly #length: number;
  readonly #seconds: number;
  readonly #maxLine: number;
  readonly #hooks: BodyHooks;
  readonly #line: LineBounds = { end: 0, newline: 0 };
  #state: State;
  #remaining: number;
  #received = 0;

  /** Reads a body framed by `framing`, each read limited to `seconds`. */
  constructor(
    socket: Socket,
    framing: ResponseFraming,
    options: { seconds: number; maxLineLength: number; hooks: BodyHooks },
  ) {
    this.#socket = socket;
    this.#kind = framing.kind;
    this.#length = framing.kind === "length" ? framing.length : 0;
    this.#remaining = this.#length;
    this.#seconds = options.seconds;
    this.#maxLine = Math.min(options.maxLineLength, MAX_CHUNK_LINE);
    this.#hooks = options.hooks;
    this.#state = framing.kind === "chunked" ? "size" : "data";
    if (framing.kind === "none") this.#finish();
  }

  /** True once the whole body has been read. */
  get complete(): boolean {
    return this.#state === "done";
  }

  /** Body bytes handed out so far. */
  get received(): number {
    return this.#received;
  }

  /** The next chunk of the body, or null at its end. Throws the typed BackendError on failure. */
  async next(): Promise<Uint8Array | null> {
    if (this.#state === "done") return null;
    if (this.#state === "failed") throw new Error("Cannot read a response body that failed");
    try {
      const chunk = this.#kind === "chunked" ? await this.#nextChunked() : await this.#nextPlain();
      if (chunk !== null) this.#received += chunk.length;
      return chunk;
    } catch (err) {
      this.#fail();
      throw err;
    }
  }

  /** Gives up on the rest of the body; the connection closes. */
  cancel(): void {
    if (this.#state !== "done") this.#fail();
  }

  async #nextPlain(): Promise<Uint8Array | null> {
    const socket = this.#socket;
    const bounded = this.#kind === "length";
    if (socket.buffered > 0) {
      const take = bounded ? Math.min(socket.buffered, this.#remaining) : socket.buffered;
      return this.#took(this.#copyBuffered(take));
    }
    const size = bounded ? Math.min(this.#remaining, READ_SIZE) : READ_SIZE;
    const target = new Uint8Array(size);
    socket.armRead(this.#seconds, "chunk");
    let n: number | null;
    try {
      n = await socket.readInto(target, "reading the response body");
    } finally {
      socket.disarmRead();
    }
    if (n === null) {
      if (bounded) {
        throw new IncompleteRead(
          socket.endpoint,
          `body after ${this.#received} of ${this.#length} bytes`,
        );
      }
      this.#finish();
      return null;
    }
    // A short read into a big buffer would pin the whole buffer; copy it out instead.
    return this.#took(n * 4 < size && size > 8192 ? target.slice(0, n) : target.subarray(0, n));
  }

  #took(chunk: Uint8Array): Uint8Array {
    if (this.#kind === "length") {
      this.#remaining -= chunk.length;
      if (this.#remaining === 0) this.#finish();
    }
    return chunk;
  }

  async #nextChunked(): Promise<Uint8Array | null> {
    for (;;) {
      switch (this.#state) {
        case "size":
          await this.#readLine("chunk size line");
          this.#remaining = this.#parseChunkSize();
          this.#state = this.#remaining === 0 ? "trailers" : "data";
          break;
        case "data":
          return await this.#chunkData();
        case "crlf": {
          await this.#readLine("chunk end");
          const socket = this.#socket;
          if (this.#line.end !== socket.start) {
            throw new BadResponse(
              socket.endpoint,
              `chunk data runs past its size, at ${
                excerpt(socket.buf, socket.start, this.#line.end)
              }`,
            );
          }
          socket.start = this.#line.newline + 1;
          this.#state = "size";
          break;
        }
        case "trailers": {
          // Trailer fields are read and dropped, as http.client does.
          await this.#readLine("trailer line");
          const empty = this.#line.end === this.#socket.start;
          this.#socket.start = this.#line.newline + 1;
          if (empty) {
            this.#finish();
            return null;
          }
          break;
        }
        default:
          return null;
      }
    }
  }

  async #chunkData(): Promise<Uint8Array> {
    const socket = this.#socket;
    if (socket.buffered === 0 && this.#remaining >= 16 * 1024) {
      // Big chunk: read straight into its own buffer, never past the chunk's end.
      const size = Math.min(this.#remaining, READ_SIZE);
      const target = new Uint8Array(size);
      socket.armRead(this.#seconds, "chunk");
      let n: number | null;
      try {
        n = await socket.readInto(target, "reading the response body");
      } finally {
        socket.disarmRead();
      }
      if (n === null) throw this.#truncated();
      this.#remaining -= n;
      if (this.#remaining === 0) this.#state = "crlf";
      return n * 4 < size && size > 8192 ? target.slice(0, n) : target.subarray(0, n);
    }
    if (socket.buffered === 0) {
      socket.armRead(this.#seconds, "chunk");
      try {
        if (!await socket.fill("reading the response body", this.#maxLine)) throw this.#truncated();
      } finally {
        socket.disarmRead();
      }
    }
    const chunk = this.#copyBuffered(Math.min(socket.buffered, this.#remaining));
    this.#remaining -= chunk.length;
    if (this.#remaining === 0) this.#state = "crlf";
    return chunk;
  }

  async #readLine(what: string): Promise<void> {
    const socket = this.#socket;
    socket.armRead(this.#seconds, "chunk");
    try {
      if (!await readLine(socket, this.#maxLine, what, this.#line)) throw this.#truncated();
    } finally {
      socket.disarmRead();
    }
  }

  #parseChunkSize(): number {
    const socket = this.#socket;
    const buf = socket.buf;
    let i = socket.start;
    const end = this.#line.end;
    let size = 0;
    let digits = 0;
    for (; i < end; i++) {
      const c = buf[i] | 0x20;
      const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (digit === -1) break;
      size = size * 16 + digit;
      digits++;
    }
    // Extensions after ';' are ignored; 13 hex digits keep the size exact in a double.
    const rest = i === end || buf[i] === 0x3b || buf[i] === 0x20 || buf[i] === 0x09;
    if (digits === 0 || digits > 13 || !rest) {
      throw new BadResponse(
        socket.endpoint,
        `chunk size line ${excerpt(buf, socket.start, end)} is not a hex size`,
      );
    }
    socket.start = this.#line.newline + 1;
    return size;
  }

  #copyBuffered(take: number): Uint8Array {
    const socket = this.#socket;
    const chunk = socket.buf.slice(socket.start, socket.start + take);
    socket.start += take;
    return chunk;
  }

  #truncated(): IncompleteRead {
    return new IncompleteRead(
      this.#socket.endpoint,
      `chunked body after ${this.#received} bytes`,
    );
  }

  #finish(): void {
    this.#state = "done";
    this.#hooks.done();
  }

  #fail(): void {
    this.#state = "failed";
    this.#hooks.abort();
  }
}
