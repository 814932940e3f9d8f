/**
 * Turns what a handler decided into the Fetch Response swob and eventlet would put on the
 * wire (swob.Response._response_iter()): conditional 304/412 with an empty body, HEAD without
 * a body, 206 for one range, multipart/byteranges for several, 416 with "bytes *\/LEN", the
 * default error pages, and a Content-Length on every response (eventlet adds one for bodies
 * swob hands over as a list). Object data streams from the backend's reader, never buffered.
 */
import type { DiskFileReader } from "./backend.ts";
import { conditionalStatus } from "./conditional.ts";
import {
  type ByteRange,
  closingDelimiter,
  contentRange,
  multipartLength,
  newBoundary,
  parseRange,
  partHeader,
  rangesForLength,
} from "./ranges.ts";
import type { SwobRequest } from "./swob_request.ts";
import { defaultBody, type SwobError } from "./swob_status.ts";

/** A response as a handler builds it (swob.Response's constructor arguments). */
export interface SwobResponseInit {
  readonly status: number;
  /** Applied over the default "Content-Type: text/html; charset=UTF-8". */
  readonly headers?: Readonly<Record<string, string>> | Iterable<readonly [string, string]>;
  /** A body given in full; its length becomes the Content-Length. */
  readonly body?: string | Uint8Array;
  /** Object data; the headers must carry its whole length as Content-Length. */
  readonly reader?: DiskFileReader;
  /** Apply If-* headers and Range (swob's conditional_response). */
  readonly conditional?: boolean;
  /** The value If-Match and If-None-Match compare with, instead of the ETag header. */
  readonly conditionalEtag?: string;
  /** The device named by a 507's default body. */
  readonly drive?: string;
}

const encoder = new TextEncoder();

/** Bytes a Fetch Response accepts as its body. */
type BodyBytes = Uint8Array<ArrayBuffer>;

/** The response for a SwobError (swob's HTTPException answered as a response). */
export function errorResponse(req: SwobRequest, error: SwobError): Response {
  const init = error.init;
  return swobResponse(req, {
    status: error.status,
    headers: error.headers,
    body: init.body,
    drive: init.drive,
    conditional: init.conditional,
  });
}

/** The Fetch Response for `init`, answering `req`; object data is streamed. */
export function swobResponse(req: SwobRequest, init: SwobResponseInit): Response {
  const planned = plan(req, init);
  if (planned.data) return streamed(planned, planned.data);
  return new Response(planned.bytes, { status: planned.status, headers: planned.headers.list() });
}

/**
 * Bodies of object data up to this size are read before the response is built and sent as
 * one buffer: a stream costs a resource, a pump and a promise per chunk, which for a small
 * object took longer than everything else the request does. It is one disk_chunk_size.
 */
export const INLINE_BODY_MAX = 64 * 1024;

/**
 * As swobResponse(), but object data of at most `inlineMax` bytes is read first and sent in
 * one piece. A read error then becomes the handler's error (a 500 before any byte is sent,
 * which is also what eventlet does when the first chunk of a body fails).
 */
export async function swobResponseInline(
  req: SwobRequest,
  init: SwobResponseInit,
  inlineMax: number = INLINE_BODY_MAX,
): Promise<Response> {
  const planned = plan(req, init);
  const data = planned.data;
  if (!data) {
    return new Response(planned.bytes, { status: planned.status, headers: planned.headers.list() });
  }
  if (data.multipart || data.length > inlineMax) return streamed(planned, data);
  const bytes = await readRanges(data.reader, data.ranges, data.length);
  if (bytes.length !== data.length) {
    // A short file: send what there is and break the connection, as the stream would have.
    return new Response(brokenAfter(bytes), {
      status: planned.status,
      headers: planned.headers.list(),
    });
  }
  return new Response(bytes.length ? bytes : null, {
    status: planned.status,
    headers: planned.headers.list(),
  });
}

/** Object data a response sends: ranges of a reader, possibly as multipart/byteranges. */
interface PlannedData {
  readonly reader: DiskFileReader;
  readonly ranges: readonly ByteRange[];
  readonly multipart?: Multipart;
  /** Bytes of object data the ranges cover (without multipart framing). */
  readonly length: number;
}

/** What the response will be: status, headers and either bytes or object data. */
interface Planned {
  readonly status: number;
  readonly headers: HeaderList;
  readonly bytes: BodyBytes | null;
  readonly data?: PlannedData;
}

function streamed(planned: Planned, data: PlannedData): Response {
  return new Response(stream(data.reader, data.ranges, data.multipart), {
    status: planned.status,
    headers: planned.headers.list(),
  });
}

/**
 * Response headers kept in JS until the Response is built: Fetch's Headers validates and
 * searches on every set(), and a response sets some headers several times. Names compare
 * without case; a name set again keeps its place, as Headers.set() does.
 */
class HeaderList {
  readonly #entries = new Map<string, [string, string]>();

  get(name: string): string | undefined {
    return this.#entries.get(name.toLowerCase())?.[1];
  }

  has(name: string): boolean {
    return this.#entries.has(name.toLowerCase());
  }

  set(name: string, value: string): void {
    const key = name.toLowerCase();
    const entry = this.#entries.get(key);
    if (entry) entry[1] = value;
    else this.#entries.set(key, [name, value]);
  }

  delete(name: string): void {
    this.#entries.delete(name.toLowerCase());
  }

  list(): [string, string][] {
    return [...this.#entries.values()];
  }
}

/** Decides status, headers and body of the response for `init` (swob's _response_iter()). */
function plan(req: SwobRequest, init: SwobResponseInit): Planned {
  const headers = new HeaderList();
  headers.set("Content-Type", "text/html; charset=UTF-8");
  for (const [name, value] of headerEntries(init.headers)) headers.set(name, value);
  let status = init.status;
  let body: Uint8Array | undefined = typeof init.body === "string"
    ? encoder.encode(init.body)
    : init.body;
  let reader = init.reader;
  if (body !== undefined) headers.set("Content-Length", String(body.length));

  const finish = (bytes: Uint8Array | undefined, data?: PlannedData): Planned => {
    if (data) return { status, headers, bytes: null, data };
    const out = bytes ?? new Uint8Array();
    if (!headers.has("Content-Length")) headers.set("Content-Length", String(out.length));
    return {
      status,
      headers,
      bytes: req.method === "HEAD" || out.length === 0 ? null : out as BodyBytes,
    };
  };
  const drop = () => {
    reader?.close().catch(() => {});
    reader = undefined;
  };

  if (reader && !headers.has("Content-Length")) headers.set("Content-Length", String(reader.size));
  const length = contentLengthOf(headers);

  if (init.conditional) {
    const etag = init.conditionalEtag ?? headers.get("ETag")?.replaceAll('"', "");
    const empty = conditionalStatus(req.headers, {
      status,
      etag,
      lastModified: headers.get("Last-Modified"),
    });
    if (empty !== undefined) {
      status = empty;
      headers.set("Content-Length", "0");
      drop();
      return finish(new Uint8Array());
    }
  }
  if (req.method === "HEAD") {
    drop();
    return finish(new Uint8Array());
  }

  const specs = init.conditional ? parseRange(req.headers.get("Range")) : undefined;
  if (specs && specs.length && !headers.has("Content-Range") && length !== undefined) {
    const ranges = rangesForLength(specs, length);
    if (ranges.length === 0) {
      status = 416;
      drop();
      headers.set("Content-Range", `bytes */${length}`);
      const page = encoder.encode(defaultBody(416));
      headers.set("Content-Length", String(page.length));
      return finish(page);
    }
    if (length !== 0 && (reader || body?.length)) {
      status = 206;
      if (ranges.length === 1) {
        const [start, stop] = ranges[0];
        headers.set("Content-Range", contentRange(ranges[0], length));
        headers.set("Content-Length", String(stop - start));
        if (body) return finish(body.slice(start, stop));
        return finish(undefined, { reader: reader!, ranges: [ranges[0]], length: stop - start });
      }
      const boundary = newBoundary();
      const type = encoder.encode(headers.get("Content-Type") ?? "");
      headers.set("Content-Type", `multipart/byteranges;boundary=${boundary}`);
      headers.delete("Content-Range");
      headers.set("Content-Length", String(multipartLength(ranges, boundary, type, length)));
      const source = reader ?? bytesReader(body!);
      const covered = ranges.reduce((sum, [start, stop]) => sum + stop - start, 0);
      return finish(undefined, {
        reader: source,
        ranges,
        multipart: { boundary, type, size: length },
        length: covered,
      });
    }
  }
  if (reader) return finish(undefined, { reader, ranges: [[0, reader.size]], length: reader.size });
  if (body !== undefined) return finish(body);
  const page = defaultBody(status, init.drive);
  if (page) {
    body = encoder.encode(page);
    headers.set("Content-Length", String(body.length));
  }
  return finish(body);
}

/**
 * The ranges read into one buffer of `length` bytes, the reader closed; shorter when the
 * reader ended early.
 */
async function readRanges(
  reader: DiskFileReader,
  ranges: readonly ByteRange[],
  length: number,
): Promise<BodyBytes> {
  const out = new Uint8Array(length);
  let at = 0;
  try {
    for (const [start, stop] of ranges) {
      for await (const chunk of reader.range(start, stop)) {
        const room = Math.min(chunk.length, length - at);
        out.set(room === chunk.length ? chunk : chunk.subarray(0, room), at);
        at += room;
      }
    }
  } finally {
    await reader.close();
  }
  return at === length ? out : out.subarray(0, at);
}

/** A body that sends `bytes` and then fails, so the connection is cut short. */
function brokenAfter(bytes: BodyBytes): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length) controller.enqueue(bytes);
      controller.error(new Error("The object's data ended before its Content-Length"));
    },
  });
}

function headerEntries(
  headers: SwobResponseInit["headers"],
): Iterable<readonly [string, string]> {
  if (!headers) return [];
  if (Symbol.iterator in headers) return headers as Iterable<readonly [string, string]>;
  return Object.entries(headers);
}

function contentLengthOf(headers: HeaderList): number | undefined {
  const value = headers.get("Content-Length");
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A reader over bytes already in memory (ranges of a body given in full). */
function bytesReader(bytes: Uint8Array): DiskFileReader {
  return {
    size: bytes.length,
    async *range(start, stop) {
      yield bytes.slice(start, stop);
    },
    close: () => Promise.resolve(),
  };
}

interface Multipart {
  readonly boundary: string;
  readonly type: Uint8Array;
  readonly size: number;
}

/**
 * The ranges as a pull stream: the next chunk is read only when the client takes the last,
 * and the reader is closed at the end or when the client goes away.
 */
function stream(
  reader: DiskFileReader,
  ranges: readonly ByteRange[],
  multipart?: Multipart,
): ReadableStream<Uint8Array> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (const range of ranges) {
        if (multipart) yield partHeader(multipart.boundary, multipart.type, range, multipart.size);
        for await (const chunk of reader.range(range[0], range[1])) {
          if (chunk.length) yield chunk;
        }
        if (multipart) yield encoder.encode("\r\n");
      }
      if (multipart) yield closingDelimiter(multipart.boundary);
    } finally {
      await reader.close();
    }
  }
  return ReadableStream.from(chunks());
}
