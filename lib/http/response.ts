/**
 * A storage server's response: status, headers, and a body read on demand. The body is a
 * ReadableStream only if someone asks for one (`body`); bytes()/text()/discard() read the
 * socket directly, so a container update or a HEAD costs no stream at all.
 *
 * Consume or cancel every body: the connection goes back to its pool only after the last
 * byte is read, and closes if the body is cancelled.
 *
 * @module
 */
import { type Endpoint, endpointLabel } from "./endpoint.ts";
import type { BodyReader } from "./response_body.ts";
import type { ResponseHeaders } from "./response_headers.ts";

const EMPTY = new Uint8Array(0);

/** A response from a storage server. */
export class BackendResponse {
  /** The server that answered. */
  readonly endpoint: Endpoint;
  /** The status code, 200-599 (or 1xx-free final statuses the server chose). */
  readonly status: number;
  /** The reason phrase, possibly empty. */
  readonly reason: string;
  /** 10 for HTTP/1.0, 11 otherwise. */
  readonly version: 10 | 11;
  /** The headers as sent. */
  readonly headers: ResponseHeaders;
  /** The body length when known before reading it (Content-Length, or 0 if bodiless), else null. */
  readonly contentLength: number | null;
  #reader: BodyReader | null;
  #preloaded: Uint8Array | null;
  #used = false;

  /**
   * Wraps a parsed head; the body comes from `reader`, or is `preloaded` when it arrived whole
   * with the head (the connection is then already free).
   */
  constructor(
    endpoint: Endpoint,
    head: { version: 10 | 11; status: number; reason: string; headers: ResponseHeaders },
    contentLength: number | null,
    body: { reader: BodyReader } | { preloaded: Uint8Array },
  ) {
    this.endpoint = endpoint;
    this.status = head.status;
    this.reason = head.reason;
    this.version = head.version;
    this.headers = head.headers;
    this.contentLength = contentLength;
    this.#reader = "reader" in body ? body.reader : null;
    this.#preloaded = "preloaded" in body ? body.preloaded : null;
  }

  /** Whether the body has been taken (stream, bytes, text, discard or cancel). */
  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a stream; each read waits at most node_timeout (ChunkReadTimeout). */
  get body(): ReadableStream<Uint8Array> {
    this.#take("body");
    const preloaded = this.#preloaded;
    if (preloaded !== null) {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          if (preloaded.length > 0) controller.enqueue(preloaded);
          controller.close();
        },
      });
    }
    const reader = this.#reader!;
    let cancelled = false;
    // highWaterMark 0: the socket is read only when the consumer asks, so node_timeout
    // measures the server, and a slow client never makes the proxy buffer ahead.
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const chunk = await reader.next();
          if (cancelled) return;
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        } catch (err) {
          if (!cancelled) controller.error(err);
        }
      },
      cancel() {
        cancelled = true;
        reader.cancel();
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Reads the whole body. Throws RangeError (and closes the connection) past `limit` bytes,
   * so a listing or an error page cannot exhaust memory.
   */
  async bytes(limit = Infinity): Promise<Uint8Array> {
    this.#take("bytes()");
    if (this.#preloaded !== null) {
      if (this.#preloaded.length > limit) throw this.#tooBig(limit);
      return this.#preloaded;
    }
    const reader = this.#reader!;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
      total += chunk.length;
      if (total > limit) {
        reader.cancel();
        throw this.#tooBig(limit);
      }
      chunks.push(chunk);
    }
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0];
    const all = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }

  /** Reads the whole body as UTF-8 text (replacement characters for bad bytes). */
  async text(limit = Infinity): Promise<string> {
    return new TextDecoder().decode(await this.bytes(limit));
  }

  /** Reads and drops the body, keeping the connection reusable. */
  async discard(): Promise<void> {
    this.#take("discard()");
    const reader = this.#reader;
    if (reader === null) return;
    while (await reader.next() !== null) {
      // Drained; the reader hands the connection back after the last byte.
    }
  }

  /** Drops the body unread; the connection closes (Swift's close_swift_conn). */
  cancel(): void {
    if (this.#used) return;
    this.#used = true;
    this.#reader?.cancel();
  }

  #take(how: string): void {
    if (this.#used) {
      throw new TypeError(
        `Cannot read the body of ${this.status} from "${
          endpointLabel(this.endpoint)
        }" with ${how}: it was already taken`,
      );
    }
    this.#used = true;
  }

  #tooBig(limit: number): RangeError {
    return new RangeError(
      `Response body from "${endpointLabel(this.endpoint)}" is larger than ${limit} bytes`,
    );
  }
}
