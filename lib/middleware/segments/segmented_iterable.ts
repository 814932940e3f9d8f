/**
 * swift.common.request_helpers.SegmentedIterable: the body of a large object, fetched segment
 * by segment through the rest of the pipeline while the client reads. Consecutive ranges of one
 * segment are coalesced into one multi-range GET; every whole segment is checked against the
 * manifest's etag and size and its bytes against their MD5; the body stops at max_get_time.
 *
 * A failure before the first byte is thrown (the middleware answers 409 or 503); after it, the
 * body is cut short and the error logged, as Swift does, and the server closes the connection
 * because fewer bytes than Content-Length were sent.
 */
import { createHash } from "node:crypto";
import { parseRange, rangesForLength } from "../../object/ranges.ts";
import { SwobError } from "../../object/swob_status.ts";
import { pyQuote } from "../../object/wsgi_text.ts";
import type { SwiftLogger } from "../../log/logger.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { byterangesBoundary, multipartBodies } from "./multipart.ts";
import type { Clock } from "./rate_limit.ts";
import { sendSubrequest } from "./subrequest.ts";

/** swift.common.exceptions.SegmentError: a segment is missing or no longer matches. */
export class SegmentError extends Error {
  override name = "SegmentError";
}

/** swift.common.exceptions.ListingIterError: the segment listing could not be read. */
export class ListingIterError extends Error {
  override name = "ListingIterError";
}

/** An object-backed segment to fetch: its path as text, and the bytes of it wanted. */
export interface ObjectSegment {
  /** `/v1/account/container/object`, unquoted. */
  readonly path: string;
  /** Checked against the segment's ETag when set. */
  readonly hash?: string | null;
  /** Checked against the segment's length when set (and the whole segment is read). */
  readonly bytes?: number | null;
  readonly firstByte?: number | null;
  readonly lastByte?: number | null;
}

/** Inline data (an SLO data segment): `rawData[firstByte..lastByte]`. */
export interface DataSegment {
  readonly rawData: Uint8Array;
  readonly firstByte: number;
  readonly lastByte: number;
}

/** One item of a segment listing. */
export type SegmentSpec = ObjectSegment | DataSegment;

/** What a SegmentedIterable needs besides the listing. */
export interface SegmentedOptions {
  /** The manifest's path (req.path), for messages. */
  readonly name: string;
  readonly logger: SwiftLogger;
  /** Appended to the client's User-Agent ("DLO MultipartGET"). */
  readonly uaSuffix: string;
  readonly swiftSource: string;
  /** Seconds a whole GET may take. */
  readonly maxGetTime: number;
  readonly clock: Clock;
  /** The number of bytes the client is promised, when known. */
  readonly responseBodyLength?: number;
}

interface SegmentRequest {
  /** The quoted path (swob's req.path). */
  readonly path: string;
  range?: string;
  readonly etag?: string | null;
  readonly size?: number | null;
}

type Planned = Uint8Array | SegmentRequest;

/** swob's Response.etag: the ETag header without its quotes, undefined when empty. */
function etagOf(resp: Response): string | undefined {
  return resp.headers.get("ETag")?.replaceAll('"', "") || undefined;
}

function contentLengthOf(resp: Response): number | undefined {
  const value = resp.headers.get("Content-Length");
  return value === null ? undefined : Number(value);
}

/** Python's %s of an optional value. */
function pyStr(value: unknown): string {
  return value === undefined || value === null ? "None" : String(value);
}

function isSegmentRequest(item: Planned): item is SegmentRequest {
  return !(item instanceof Uint8Array);
}

/** The body of a large object, fetched as it is read. */
export class SegmentedIterable {
  readonly #req: Request;
  readonly #ctx: RequestContext;
  readonly #next: Handler;
  readonly #listing: AsyncIterable<SegmentSpec>;
  readonly #options: SegmentedOptions;
  readonly #iterator: AsyncGenerator<Uint8Array>;
  #validated = false;
  #peeked?: Uint8Array;
  #current?: Response;

  constructor(
    client: { readonly req: Request; readonly ctx: RequestContext; readonly next: Handler },
    listing: AsyncIterable<SegmentSpec>,
    options: SegmentedOptions,
  ) {
    this.#req = client.req;
    this.#ctx = client.ctx;
    this.#next = client.next;
    this.#listing = listing;
    this.#options = options;
    this.#iterator = this.#internal();
  }

  /**
   * Fetches up to the first chunk, so a missing or changed first segment becomes an error
   * response instead of an empty body. Throws SegmentError, ListingIterError or SwobError.
   */
  async validateFirstSegment(): Promise<void> {
    if (this.#validated) return;
    try {
      const first = await this.#iterator.next();
      if (!first.done) this.#peeked = first.value;
    } finally {
      this.#validated = true;
    }
  }

  /** The body's chunks (the peeked one first). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      if (this.#peeked) {
        const peeked = this.#peeked;
        this.#peeked = undefined;
        yield peeked;
      }
      yield* this.#iterator;
    } finally {
      await this.close();
    }
  }

  /** Stops fetching and releases the segment being read. */
  async close(): Promise<void> {
    await this.#iterator.return(undefined);
  }

  async *#coalesce(): AsyncGenerator<Planned> {
    let pending: SegmentRequest | undefined;
    try {
      for await (const seg of this.#listing) {
        if ("rawData" in seg) {
          if (pending) yield pending;
          yield seg.rawData.slice(seg.firstByte, seg.lastByte + 1);
          pending = undefined;
          continue;
        }
        const size = seg.bytes ?? undefined;
        const firstByte = seg.firstByte ?? 0;
        const lastByte = seg.lastByte ?? undefined;
        const goToEnd = lastByte === undefined || (size !== undefined && lastByte === size - 1);
        const path = pyQuote(seg.path);
        let rangeValue: string | undefined;
        if (firstByte !== 0 || !goToEnd) rangeValue = `${firstByte}-${goToEnd ? "" : lastByte}`;
        if (pending && pending.path === path && size !== undefined) {
          let combined = pending.range ?? `bytes=0-${size - 1}`;
          combined += rangeValue !== undefined ? `,${rangeValue}` : `,0-${size - 1}`;
          const specs = parseRange(combined);
          if (specs && rangesForLength(specs, size).length) {
            pending.range = combined;
            continue;
          }
        }
        if (pending) yield pending;
        pending = {
          path,
          range: rangeValue === undefined ? undefined : `bytes=${rangeValue}`,
          etag: seg.hash,
          size,
        };
      }
    } catch (err) {
      if (err instanceof ListingIterError && pending) yield pending;
      throw err;
    }
    if (pending) yield pending;
  }

  async *#requestsToBytes(): AsyncGenerator<[string, Uint8Array]> {
    const { name, logger } = this.#options;
    for await (const item of this.#coalesce()) {
      if (!isSegmentRequest(item)) {
        yield ["data segment", item];
        continue;
      }
      const resp = await sendSubrequest(this.#next, this.#req, this.#ctx, {
        method: "GET",
        path: `${item.path}?multipart-manifest=get`,
        headers: {
          "X-Auth-Token": this.#req.headers.get("X-Auth-Token") ?? undefined,
          Range: item.range,
        },
        agent: `%(orig)s  ${this.#options.uaSuffix}`,
        swiftSource: this.#options.swiftSource,
      });
      const status = resp.status;
      if (status < 200 || status > 299) {
        const body = await resp.text();
        const shown = body.length <= 60 ? body : body.slice(0, 57) + "...";
        const msg = `While processing manifest ${name}, got ${status} (${shown}) ` +
          `while retrieving ${item.path}`;
        if (status >= 500 && status <= 599) {
          logger.error(msg);
          throw new SwobError(503, { contentType: "text/plain" });
        }
        throw new SegmentError(msg);
      }
      const etag = etagOf(resp);
      const length = contentLengthOf(resp);
      if (
        (item.etag && etag !== item.etag) ||
        (item.size && length !== item.size && !item.range)
      ) {
        await resp.body?.cancel();
        throw new SegmentError(
          `Object segment no longer valid: ${item.path} etag: ${pyStr(etag)} != ` +
            `${pyStr(item.etag)} or ${pyStr(length)} != ${pyStr(item.size)}.`,
        );
      }
      this.#current = resp;
      const hash = etag && !item.range ? createHash("md5") : undefined;
      let received = 0;
      let any = false;
      const boundary = byterangesBoundary(resp.headers.get("Content-Type"));
      const body: AsyncIterable<Uint8Array> = resp.body ?? ReadableStream.from<Uint8Array>([]);
      const source = boundary === undefined ? body : multipartBodies(body, boundary);
      for await (const chunk of source) {
        hash?.update(chunk);
        received += chunk.length;
        any = true;
        yield [item.path, chunk];
      }
      // An empty object is still one (empty) chunk to Swift: it counts as the first chunk.
      if (!any) yield [item.path, new Uint8Array()];
      this.#current = undefined;
      if (hash) {
        if (received !== length) {
          throw new SegmentError(
            `Bad response length for ${item.path} as part of ${name}: headers had ` +
              `${pyStr(length)}, but response length was actually ${received}`,
          );
        }
        const actual = hash.digest("hex");
        if (actual !== etag) {
          throw new SegmentError(
            `Bad MD5 checksum for ${item.path} as part of ${name}: headers had ${etag}, ` +
              `but object MD5 was actually ${actual}`,
          );
        }
      }
    }
  }

  async *#byteCounting(): AsyncGenerator<Uint8Array> {
    let left = this.#options.responseBodyLength;
    for await (const [segName, chunk] of this.#requestsToBytes()) {
      if (left === undefined || left >= chunk.length) {
        yield chunk;
        if (left !== undefined) left -= chunk.length;
        continue;
      }
      yield chunk.subarray(0, left);
      left -= chunk.length;
      throw new SegmentError(
        `Too many bytes for ${this.#options.name}; truncating in ${segName} with ` +
          `${-left} bytes left`,
      );
    }
    if (left) {
      throw new SegmentError(
        `Expected another ${left} bytes for ${this.#options.name}; closing connection`,
      );
    }
  }

  async *#timeLimited(): AsyncGenerator<Uint8Array> {
    const { clock, maxGetTime, name } = this.#options;
    const start = clock.now();
    for await (const chunk of this.#byteCounting()) {
      const now = clock.now();
      yield chunk;
      if (now - start > maxGetTime) {
        throw new SegmentError(
          `While processing manifest ${name}, max LO GET time of ${maxGetTime}s exceeded`,
        );
      }
    }
  }

  async *#internal(): AsyncGenerator<Uint8Array> {
    try {
      yield* this.#timeLimited();
    } catch (err) {
      if (!(err instanceof SegmentError || err instanceof ListingIterError)) throw err;
      this.#options.logger.error(err.message);
      if (!this.#validated) throw err;
    } finally {
      await this.#current?.body?.cancel().catch(() => {});
      this.#current = undefined;
    }
  }
}
