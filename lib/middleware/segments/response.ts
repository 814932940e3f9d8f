/**
 * The swob Response a large-object middleware answers with (conditional_response=True): If-*
 * checked against the large object's ETag, HEAD without a body, and Range served from the
 * segments: the listing was already cut to the wanted bytes, so each range takes its length
 * from the one stream, and several ranges get swob's multipart framing
 * (SegmentedIterable.app_iter_range()/app_iter_ranges() with a Spliterator).
 */
import type { DiskFileReader } from "../../object/backend.ts";
import { conditionalStatus } from "../../object/conditional.ts";
import { parseRange, rangesForLength } from "../../object/ranges.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { SwobRequest } from "../../object/swob_request.ts";
import type { SegmentedIterable } from "./segmented_iterable.ts";

/** What the middleware puts in its Response. */
export interface LargeObjectInit {
  readonly status?: number;
  readonly headers: Iterable<readonly [string, string]>;
  /** The body; none for HEAD. */
  readonly body?: SegmentedIterable;
  /** conditional_etag: what If-Match/If-None-Match compare with, instead of the ETag. */
  readonly conditionalEtag?: string;
}

/**
 * The segments as a reader. With several ranges, range(start, stop) takes the next
 * stop - start bytes (a Spliterator); with one, it yields the whole stream, as swob iterates
 * the SegmentedIterable to its end (so the last segment's checks still run and log).
 */
function spliterator(body: SegmentedIterable, size: number, several: boolean): DiskFileReader {
  const chunks = body.chunks();
  let rest: Uint8Array | undefined;
  return {
    size,
    async *range(start, stop) {
      if (!several) {
        yield* chunks;
        return;
      }
      let wanted = stop - start;
      while (wanted > 0) {
        let chunk = rest;
        rest = undefined;
        if (!chunk) {
          const next = await chunks.next();
          if (next.done) return;
          chunk = next.value;
        }
        if (chunk.length > wanted) {
          rest = chunk.subarray(wanted);
          chunk = chunk.subarray(0, wanted);
        }
        wanted -= chunk.length;
        if (chunk.length) yield chunk;
      }
    },
    async close() {
      await chunks.return(undefined);
    },
  };
}

/** Whether swob will answer `req` with a multipart/byteranges body. */
function severalRanges(req: Request, length: number): boolean {
  const specs = parseRange(req.headers.get("Range") ?? undefined);
  return specs !== undefined && rangesForLength(specs, length).length > 1;
}

/** `req` as swob sees it: its method and headers (the body is never read). */
function swobRequestOf(req: Request): SwobRequest {
  return new SwobRequest(new Request(req.url, { method: req.method, headers: req.headers }));
}

/** Response(request=req, conditional_response=True, ...)(env, start_response). */
export function largeObjectResponse(req: Request, init: LargeObjectInit): Response {
  const headers = new Headers(init.headers as [string, string][]);
  const status = init.status ?? 200;
  const length = headers.get("Content-Length");
  if (length !== null) {
    return swobResponse(swobRequestOf(req), {
      status,
      headers,
      reader: init.body
        ? spliterator(init.body, Number(length), severalRanges(req, Number(length)))
        : undefined,
      conditional: true,
      conditionalEtag: init.conditionalEtag,
    });
  }
  // No length (a listing too long to add up): no Range is honoured, the body streams to its end.
  if (!headers.has("Content-Type")) headers.set("Content-Type", "text/html; charset=UTF-8");
  const swobReq = swobRequestOf(req);
  const empty = conditionalStatus(swobReq.headers, {
    status,
    etag: init.conditionalEtag ?? headers.get("ETag")?.replaceAll('"', ""),
    lastModified: headers.get("Last-Modified") ?? undefined,
  });
  if (empty !== undefined || req.method === "HEAD" || !init.body) {
    init.body?.close();
    // swob answers these with [b""], which the WSGI server sends with Content-Length: 0.
    if (empty !== undefined || !headers.has("Content-Length")) headers.set("Content-Length", "0");
    return new Response(null, { status: empty ?? status, headers });
  }
  return new Response(ReadableStream.from(init.body.chunks()), { status, headers });
}
