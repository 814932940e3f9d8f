/**
 * egg:swift#dlo (swift/common/middleware/dlo.py, Swift 2.30): dynamic large objects. A GET or
 * HEAD whose answer carries X-Object-Manifest: CONTAINER/PREFIX is answered with the
 * concatenation of the objects listed under PREFIX in CONTAINER (container listing
 * subrequests, paged with marker), in listing order. With a complete first page the response
 * has the summed Content-Length and ETag '"md5 of the segments' etags"'; one Range is served
 * from the segments when the listing tells it is satisfiable, other Range requests get the
 * whole object. `?multipart-manifest=get` reads the manifest itself. A PUT with a malformed
 * X-Object-Manifest is refused with 400.
 *
 * Segment GETs go through the rest of the pipeline (swift.source "DLO"), rate limited after
 * rate_limit_after_segment segments; errors after the first byte cut the body short and are
 * logged, as in Swift.
 *
 * Not done: Swift's fallback of reading these options from [app:proxy-server] when
 * [filter:dlo] sets none of them (_populate_config_from_old_location()).
 */
import { createHash } from "node:crypto";
import { DEFAULT_SWIFT_CONSTRAINTS } from "../common/constraints.ts";
import { decodeUtf8, encodeLatin1 } from "../common/python_codecs.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { DLO_FILTER } from "../config/options/dlo.ts";
import { normalizeEtag } from "../object/conditional.ts";
import { parseRange, rangesForLength } from "../object/ranges.ts";
import { pathInfoOf } from "../object/swob_request.ts";
import { SwobError } from "../object/swob_status.ts";
import { pyQuote } from "../object/wsgi_text.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { type Clock, rateLimited, SYSTEM_CLOCK } from "./segments/rate_limit.ts";
import { largeObjectResponse } from "./segments/response.ts";
import {
  ListingIterError,
  SegmentedIterable,
  SegmentError,
  type SegmentSpec,
} from "./segments/segmented_iterable.ts";
import { sendSubrequest } from "./segments/subrequest.ts";
import {
  errorResponseFor,
  ignoreRangeIfPresent,
  queryStringOf,
  splitPathOrUndefined,
  swobParams,
  wsgiUnquote,
} from "./segments/swob.ts";

/** What the dlo filter needs. */
export interface DloSettings {
  readonly rateLimitAfterSegment: number;
  readonly rateLimitSegmentsPerSec: number;
  readonly maxGetTime: number;
  /** CONTAINER_LISTING_LIMIT: a shorter listing page is the last one. */
  readonly containerListingLimit?: number;
  readonly clock?: Clock;
}

/** Builds the dlo filter (Swift's filter_factory). */
export function dloFilter(stage: StageConfig, _build: BuildContext): Filter {
  const options = optionsOf(stage, DLO_FILTER);
  return dloFilterWith({
    rateLimitAfterSegment: options.rate_limit_after_segment,
    rateLimitSegmentsPerSec: options.rate_limit_segments_per_sec,
    maxGetTime: options.max_get_time,
  });
}

/** Builds the dlo filter from explicit settings. */
export function dloFilterWith(settings: DloSettings): Filter {
  return (next) =>
    async function dlo(req, ctx) {
      const pathInfo = pathInfoOf(req);
      if (!splitPathOrUndefined(pathInfo, 4, 4, true)) return await next(req, ctx);
      const params = swobParams(queryStringOf(req.url));
      if (
        (req.method === "GET" || req.method === "HEAD") &&
        params.get("multipart-manifest") !== "get"
      ) {
        return await handleGetOrHead(req, ctx, next, settings);
      }
      if (req.method === "PUT") {
        const error = validateManifestHeader(req.headers.get("X-Object-Manifest"));
        if (error) return errorResponseFor(req, error);
      }
      return await next(req, ctx);
    };
}

/** _validate_x_object_manifest_header(): CONTAINER/PREFIX, no query characters. */
function validateManifestHeader(value: string | null): SwobError | undefined {
  if (value === null) return undefined;
  const slash = value.indexOf("/");
  const container = slash < 0 ? "" : value.slice(0, slash);
  const prefix = slash < 0 ? "" : value.slice(slash + 1);
  if (!container || !prefix || /[?&]/.test(value) || prefix.startsWith("/")) {
    return new SwobError(400, { body: "X-Object-Manifest must be in the format container/prefix" });
  }
  return undefined;
}

async function handleGetOrHead(
  req: Request,
  ctx: RequestContext,
  next: Handler,
  settings: DloSettings,
): Promise<Response> {
  const headers = new Headers(req.headers);
  // A Range is for the large object, not for the manifest: get all of the manifest.
  ignoreRangeIfPresent(headers, "X-Object-Manifest");
  const forwarded = new Request(req.url, { method: req.method, headers });
  const resp = await next(forwarded, ctx);
  const manifest = resp.headers.get("X-Object-Manifest");
  if (manifest === null) return resp;
  await resp.body?.cancel();
  const value = decodeUtf8(encodeLatin1(wsgiUnquote(manifest)), "surrogateescape");
  return await new GetContext(forwarded, ctx, next, settings).respond(resp.headers, value);
}

interface ListingEntry {
  readonly name: string;
  readonly bytes: number;
  readonly hash: string;
}

/** One GET or HEAD of a manifest (Swift's GetContext). */
class GetContext {
  readonly #req: Request;
  readonly #ctx: RequestContext;
  readonly #next: Handler;
  readonly #settings: DloSettings;
  readonly #limit: number;

  constructor(req: Request, ctx: RequestContext, next: Handler, settings: DloSettings) {
    this.#req = req;
    this.#ctx = ctx;
    this.#next = next;
    this.#settings = settings;
    this.#limit = settings.containerListingLimit ?? DEFAULT_SWIFT_CONSTRAINTS.containerListingLimit;
  }

  /** _get_container_listing(): an error response, or the page of segments. */
  async #listing(
    path: readonly string[],
    prefix: string,
    marker = "",
  ): Promise<Response | ListingEntry[]> {
    let query = `prefix=${pyQuote(prefix)}`;
    if (marker) query += `&marker=${pyQuote(marker)}`;
    const resp = await sendSubrequest(this.#next, this.#req, this.#ctx, {
      method: "GET",
      path: `${pyQuote("/" + path.join("/"))}?${query}`,
      headers: { "X-Auth-Token": this.#req.headers.get("X-Auth-Token") ?? undefined },
      agent: "%(orig)s DLO MultipartGET",
      swiftSource: "DLO",
    });
    if (resp.status < 200 || resp.status > 299) {
      if (this.#req.method !== "HEAD") return resp;
      await resp.body?.cancel();
      const headers = new Headers(resp.headers);
      headers.set("Content-Length", "0");
      return new Response(null, { status: resp.status, statusText: resp.statusText, headers });
    }
    return JSON.parse(await resp.text()) as ListingEntry[];
  }

  /** _segment_listing_iterator(): the segments holding [firstByte, lastByte], page by page. */
  async *#segments(
    path: readonly string[],
    prefix: string,
    firstPage: ListingEntry[],
    first = 0,
    last = Infinity,
  ): AsyncGenerator<SegmentSpec> {
    let segments = firstPage;
    while (true) {
      for (const segment of segments) {
        const length = Number(segment.bytes);
        if (first >= length) {
          first = Math.max(first - length, -1);
          last = Math.max(last - length, -1);
          continue;
        }
        if (last < 0) break;
        // No etag or size: a DLO only cares that names match its prefix; the bytes are still
        // checked against each segment's own headers.
        yield {
          path: ["", ...path, segment.name].join("/"),
          firstByte: first <= 0 ? null : first,
          lastByte: last >= length - 1 ? null : last,
        };
        first = Math.max(first - length, -1);
        last = Math.max(last - length, -1);
      }
      if (segments.length < this.#limit || last < 0) break;
      const page = await this.#listing(path, prefix, segments[segments.length - 1].name);
      if (page instanceof Response) {
        await page.body?.cancel();
        throw new ListingIterError(
          `Got status ${page.status} listing container /${path[1]}/${path[2]}`,
        );
      }
      segments = page;
    }
  }

  /** get_or_head_response(). */
  async respond(manifestHeaders: Headers, xObjectManifest: string): Promise<Response> {
    const req = this.#req;
    const slash = xObjectManifest.indexOf("/");
    if (slash < 0) throw new TypeError("X-Object-Manifest has no container/prefix separator");
    const container = xObjectManifest.slice(0, slash);
    const prefix = xObjectManifest.slice(slash + 1);
    const [version, account] = splitPathOrUndefined(pathInfoOf(req), 2, 3, true)!
      .map((part) => decodeUtf8(encodeLatin1(part ?? ""), "surrogateescape"));
    const path = [version, account, container];
    const segments = await this.#listing(path, prefix);
    if (segments instanceof Response) return segments;
    const complete = segments.length < this.#limit;

    const headers = new Headers(req.headers);
    let firstByte: number | undefined;
    let lastByte: number | undefined;
    let actualLength: number | undefined;
    let lengthForSwob: number | undefined;
    const specs = parseRange(req.headers.get("Range") ?? undefined);
    if (specs && specs.length === 1) {
      lengthForSwob = segments.reduce((n, s) => n + Number(s.bytes), 0);
      // A suffix range cannot be placed without the whole listing.
      const rangeEnd = rangesForLength(specs, Infinity)[0][1];
      if (complete || rangeEnd < lengthForSwob) {
        const ranges = rangesForLength(specs, lengthForSwob);
        if (!ranges.length) {
          const extra: Record<string, string> = { "Accept-Ranges": "bytes" };
          if (complete) extra["Content-Range"] = `bytes */${lengthForSwob}`;
          return errorResponseFor(req, new SwobError(416, { headers: extra }));
        }
        firstByte = ranges[0][0];
        lastByte = ranges[0][1] - 1;
        actualLength = lastByte - firstByte + 1;
      } else {
        // Satisfiable or not, more pages would tell; serve the whole object instead.
        lengthForSwob = undefined;
        headers.delete("Range");
      }
    } else {
      headers.delete("Range");
    }
    const clientReq = new Request(req.url, { method: req.method, headers });

    const out: [string, string][] = [];
    for (const [name, value] of manifestHeaders) {
      if (name !== "content-length" && name !== "content-range") out.push([name, value]);
    }
    if (lengthForSwob !== undefined) {
      // Big enough for swob to place the range; the client sees the range's own length.
      out.push(["Content-Length", String(lengthForSwob)]);
    } else if (complete) {
      actualLength = segments.reduce((n, s) => n + Number(s.bytes), 0);
      out.push(["Content-Length", String(actualLength)]);
    }
    let response = out;
    if (complete) {
      const etag = createHash("md5");
      for (const segment of segments) etag.update(normalizeEtag(segment.hash));
      response = out.filter(([name]) => name !== "etag");
      response.push(["ETag", `"${etag.digest("hex")}"`]);
    }

    if (req.method !== "GET") return largeObjectResponse(clientReq, { headers: response });
    const clock = this.#settings.clock ?? SYSTEM_CLOCK;
    const listing = rateLimited(this.#segments(path, prefix, segments, firstByte, lastByte), {
      perSecond: this.#settings.rateLimitSegmentsPerSec,
      limitAfter: this.#settings.rateLimitAfterSegment,
      clock,
    });
    const body = new SegmentedIterable({ req, ctx: this.#ctx, next: this.#next }, listing, {
      name: new URL(req.url).pathname,
      logger: this.#ctx.logger,
      uaSuffix: "DLO MultipartGET",
      swiftSource: "DLO",
      maxGetTime: this.#settings.maxGetTime,
      clock,
      responseBodyLength: actualLength,
    });
    try {
      await body.validateFirstSegment();
    } catch (err) {
      if (err instanceof SwobError) return errorResponseFor(req, err);
      if (err instanceof SegmentError || err instanceof ListingIterError) {
        return errorResponseFor(req, new SwobError(409));
      }
      throw err;
    }
    return largeObjectResponse(clientReq, { headers: response, body });
  }
}
