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

/** The Fetch Response for `init`, answering `req`. */
export function swobResponse(req: SwobRequest, init: SwobResponseInit): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=UTF-8" });
  for (const [name, value] of headerEntries(init.headers)) headers.set(name, value);
  let status = init.status;
  let body: Uint8Array | undefined = typeof init.body === "string"
    ? encoder.encode(init.body)
    : init.body;
  let reader = init.reader;
  if (body !== undefined) headers.set("Content-Length", String(body.length));

  const finish = (out: Uint8Array | ReadableStream<Uint8Array> | undefined) => {
    if (out instanceof ReadableStream) {
      return new Response(req.method === "HEAD" ? null : out, { status, headers });
    }
    const bytes = out ?? new Uint8Array();
    if (!headers.has("Content-Length")) headers.set("Content-Length", String(bytes.length));
    return new Response(req.method === "HEAD" || bytes.length === 0 ? null : bytes as BodyBytes, {
      status,
      headers,
    });
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
      lastModified: headers.get("Last-Modified") ?? undefined,
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
        headers.set("Content-Range", contentRange(ranges[0], length));
        headers.set("Content-Length", String(ranges[0][1] - ranges[0][0]));
        if (body) return finish(body.slice(ranges[0][0], ranges[0][1]));
        return finish(stream(reader!, [ranges[0]]));
      }
      const boundary = newBoundary();
      const type = encoder.encode(headers.get("Content-Type") ?? "");
      headers.set("Content-Type", `multipart/byteranges;boundary=${boundary}`);
      headers.delete("Content-Range");
      headers.set("Content-Length", String(multipartLength(ranges, boundary, type, length)));
      const source = reader ?? bytesReader(body!);
      return finish(stream(source, ranges, { boundary, type, size: length }));
    }
  }
  if (reader) return finish(stream(reader, [[0, reader.size]]));
  if (body !== undefined) return finish(body);
  const page = defaultBody(status, init.drive);
  if (page) {
    body = encoder.encode(page);
    headers.set("Content-Length", String(body.length));
  }
  return finish(body);
}

function headerEntries(
  headers: SwobResponseInit["headers"],
): Iterable<readonly [string, string]> {
  if (!headers) return [];
  if (Symbol.iterator in headers) return headers as Iterable<readonly [string, string]>;
  return Object.entries(headers);
}

function contentLengthOf(headers: Headers): number | undefined {
  const value = headers.get("Content-Length");
  if (value === null || value === "") return undefined;
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
