/**
 * slo.SloGetContext: GET and HEAD of a static large object. The request goes down with
 * X-Backend-Etag-Is-At (so If-Match/If-None-Match compare with the SLO's ETag saved in
 * sysmeta) and asks for the whole manifest whatever the Range; the answer, when it is a
 * manifest, becomes the concatenation of its segments (nested manifests and data segments
 * included) with the SLO's ETag and Content-Length. `?multipart-manifest=get` returns the
 * manifest itself (`&format=raw`: in the form it was PUT).
 */
import { createHash } from "node:crypto";
import { type JsonValue, pythonJsonDumps, pythonJsonLoads } from "../../common/python_json.ts";
import { Timestamp } from "../../common/timestamp.ts";
import { parseRange, rangesForLength } from "../../object/ranges.ts";
import { pathInfoOf, SwobRequest } from "../../object/swob_request.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { SwobError } from "../../object/swob_status.ts";
import { isTrue } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { rateLimited, SYSTEM_CLOCK } from "../segments/rate_limit.ts";
import { largeObjectResponse } from "../segments/response.ts";
import {
  ListingIterError,
  SegmentedIterable,
  SegmentError,
  type SegmentSpec,
} from "../segments/segmented_iterable.ts";
import { makeSubrequest } from "../segments/subrequest.ts";
import {
  errorResponseFor,
  ignoreRangeIfPresent,
  splitPathOrUndefined,
  wsgiQuote,
} from "../segments/swob.ts";
import {
  overrideBytesFromContentType,
  resolveEtagIsAt,
  segmentLength,
  type SloSettings,
  SYSMETA_SLO_ETAG,
  SYSMETA_SLO_SIZE,
} from "./settings.ts";
import { type Seg, subSloSegments } from "./sub_manifest.ts";

/** The manifest's segments, or [] when its body is not JSON (as Swift reads it). */
async function readManifest(resp: Response): Promise<Seg[]> {
  try {
    const parsed = pythonJsonLoads(new Uint8Array(await resp.arrayBuffer()));
    return Array.isArray(parsed) ? parsed as Seg[] : [];
  } catch {
    return [];
  }
}

function successful(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** Serves a GET or HEAD that may be of an SLO manifest. */
export async function handleSloGetOrHead(
  req: Request,
  ctx: RequestContext,
  next: Handler,
  settings: SloSettings,
  params: ReadonlyMap<string, string>,
): Promise<Response> {
  const manifestGet = params.get("multipart-manifest") === "get";
  const headers = new Headers(req.headers);
  if (!manifestGet) {
    const existing = headers.get("X-Backend-Etag-Is-At");
    headers.set(
      "X-Backend-Etag-Is-At",
      existing ? `${existing},${SYSMETA_SLO_ETAG}` : SYSMETA_SLO_ETAG,
    );
    ignoreRangeIfPresent(headers, "X-Static-Large-Object");
  }
  req = new Request(req.url, { method: req.method, headers });
  let resp = await next(req, ctx);
  const sloEtag = resp.headers.get(SYSMETA_SLO_ETAG);
  const sloSize = resp.headers.get(SYSMETA_SLO_SIZE);
  const sloTimestamp = resp.headers.get("X-Backend-Timestamp");
  if (!isTrue(resp.headers.get("X-Static-Large-Object"))) return resp;

  if (manifestGet) {
    if (params.get("format") === "raw") return await rawManifest(resp);
    const out = new Headers(resp.headers);
    if (out.has("Content-Type")) out.set("Content-Type", "application/json; charset=utf-8");
    return new Response(resp.body, {
      status: resp.status,
      statusText: resp.statusText,
      headers: out,
    });
  }

  const conditionalHeaders = req.headers.has("If-Match") || req.headers.has("If-None-Match");
  const isConditional = (resp.status === 304 || resp.status === 412) && conditionalHeaders;
  if (sloEtag && sloSize && (req.method === "HEAD" || isConditional)) {
    // Length and ETag are known: no need to read the manifest.
    const out = new Headers(resp.headers);
    const manifestEtag = out.get("ETag");
    out.set("ETag", `"${sloEtag}"`);
    if (manifestEtag === null) out.delete("X-Manifest-Etag");
    else out.set("X-Manifest-Etag", manifestEtag);
    out.set("Content-Length", sloSize);
    await resp.body?.cancel();
    return largeObjectResponse(req, {
      status: resp.status,
      headers: out,
      conditionalEtag: resolveEtagIsAt(req.headers, out),
    });
  }

  if (needToRefetch(req, resp, conditionalHeaders)) {
    await resp.body?.cancel();
    const sub = makeSubrequest(req, ctx, {
      method: "GET",
      headers: { "X-Auth-Token": req.headers.get("X-Auth-Token") ?? undefined },
      agent: "%(orig)s SLO MultipartGET",
      swiftSource: "SLO",
    });
    resp = await next(sub.req, sub.ctx);
    if (!isTrue(resp.headers.get("X-Static-Large-Object"))) {
      const got = new Timestamp(resp.headers.get("X-Backend-Timestamp") || "0");
      if (sloTimestamp === null) throw new TypeError("The manifest had no X-Backend-Timestamp");
      if (got.greaterOrEqual(new Timestamp(sloTimestamp))) {
        // Newer data than the manifest we saw: serve it as it is (a 200, not a 206).
        if (!successful(resp.status)) return resp;
        return reconditioned(req, resp);
      }
      await resp.body?.cancel();
      throw new SwobError(503);
    }
    // An out-of-date manifest is fine: its old data is served.
  }
  const respHeaders: [string, string][] = [];
  for (const [name, value] of resp.headers) {
    if (name !== "content-range") respHeaders.push([name, value]);
  }
  return await getOrHeadResponse(req, ctx, next, settings, respHeaders, await readManifest(resp));
}

/** A newer non-manifest answer, with swob's conditional handling applied again. */
async function reconditioned(req: Request, resp: Response): Promise<Response> {
  const body = new Uint8Array(await resp.arrayBuffer());
  const headers = new Headers(resp.headers);
  const conditionalEtag = resolveEtagIsAt(req.headers, headers);
  const swobReq = new SwobRequest(
    new Request(req.url, { method: req.method, headers: req.headers }),
  );
  return swobResponse(swobReq, {
    status: resp.status,
    headers,
    body,
    conditional: true,
    conditionalEtag,
  });
}

/** _need_to_refetch_manifest(): whether the answer may lack part of the manifest. */
function needToRefetch(req: Request, resp: Response, conditional: boolean): boolean {
  if (req.method === "HEAD") return true;
  if (conditional && !successful(resp.status)) return true;
  const range = parseRange(req.headers.get("Range") ?? undefined);
  if (range && (resp.status === 206 || resp.status === 416)) {
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(resp.headers.get("Content-Range") ?? "");
    if (!match) return true;
    const [first, last, length] = match.slice(1).map(Number);
    return !(first === 0 && last === length - 1);
  }
  return false;
}

/** convert_segment_listing(): the manifest with the keys a client PUTs, sorted. */
async function rawManifest(resp: Response): Promise<Response> {
  const segments = await readManifest(resp);
  const converted = (segments as JsonValue[]).map((seg) => {
    if (seg === null || typeof seg !== "object" || Array.isArray(seg) || "data" in seg) return seg;
    const dict = seg as Record<string, JsonValue>;
    const out: Record<string, JsonValue> = { ...dict };
    delete out.content_type;
    delete out.last_modified;
    delete out.sub_slo;
    out.path = dict.name ?? null;
    out.size_bytes = dict.bytes ?? null;
    out.etag = dict.hash ?? null;
    delete out.name;
    delete out.bytes;
    delete out.hash;
    return out;
  });
  const json = new TextEncoder().encode(pythonJsonDumps(sortKeys(converted)));
  const headers = new Headers(resp.headers);
  if (headers.has("Content-Length")) headers.set("Content-Length", String(json.length));
  if (headers.has("ETag")) headers.set("ETag", createHash("md5").update(json).digest("hex"));
  return new Response(json, { status: resp.status, statusText: resp.statusText, headers });
}

/** json.dumps(sort_keys=True)'s key order, applied to nested dicts. */
function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object" || typeof value === "bigint") return value;
  const map = new Map<string, JsonValue>();
  for (const key of Object.keys(value).sort((a, b) => a < b ? -1 : a > b ? 1 : 0)) {
    map.set(key, sortKeys(value[key]));
  }
  return map as unknown as JsonValue;
}

/** get_or_head_response(): the large object's headers, and its body for a GET. */
async function getOrHeadResponse(
  req: Request,
  ctx: RequestContext,
  next: Handler,
  settings: SloSettings,
  respHeaders: [string, string][],
  segments: Seg[],
): Promise<Response> {
  let sloEtag: string | undefined;
  let contentLength: number | undefined;
  const headers: [string, string][] = [];
  for (const [name, value] of respHeaders) {
    if (name === "etag") headers.push(["X-Manifest-Etag", value]);
    else if (name !== "content-length") headers.push([name, value]);
    if (name === SYSMETA_SLO_ETAG) sloEtag = value;
    else if (name === SYSMETA_SLO_SIZE) contentLength = Number(value);
  }
  const etag = sloEtag === undefined ? createHash("md5") : undefined;
  let length = 0;
  for (const seg of segments) {
    // Inline data is decoded first: its length and MD5 count, not its base64.
    if ("data" in seg) {
      seg.raw_data = Uint8Array.from(atob(String(seg.data)), (c) => c.charCodeAt(0));
      delete seg.data;
    }
    if (etag) {
      if (seg.raw_data) etag.update(createHash("md5").update(seg.raw_data).digest("hex"));
      else if (seg.range) etag.update(`${seg.hash}:${seg.range};`);
      else etag.update(String(seg.hash));
    }
    if (contentLength === undefined) {
      if (isTrue(String(seg.sub_slo ?? ""))) overrideBytesFromContentType(seg);
      length += segmentLength(seg);
    }
  }
  sloEtag ??= etag!.digest("hex");
  contentLength ??= length;
  headers.push(["Content-Length", String(contentLength)], ["ETag", `"${sloEtag}"`]);
  const conditionalEtag = resolveEtagIsAt(req.headers, new Headers(headers));
  if (req.method === "HEAD") return largeObjectResponse(req, { headers, conditionalEtag });

  const specs = parseRange(req.headers.get("Range") ?? undefined);
  const byteranges: [number, number][] = specs
    ? rangesForLength(specs, contentLength).map(([start, stop]) => [start, stop - 1])
    : [];
  const [version, account] = splitPathOrUndefined(pathInfoOf(req), 3, 3, true)!;
  const accountText = new TextDecoder().decode(Uint8Array.from(account!, (c) => c.charCodeAt(0)));
  const listing = subSloSegments(
    { req, ctx, next, logger: ctx.logger },
    version!,
    accountText,
    segments,
    byteranges,
  );
  const limited = rateLimited(listing, {
    perSecond: settings.rateLimitSegmentsPerSec,
    limitAfter: settings.rateLimitAfterSegment,
    clock: settings.clock ?? SYSTEM_CLOCK,
  }, (seg) => !seg.raw_data && Number(seg.bytes) < settings.rateLimitUnderSize);
  const body = new SegmentedIterable({ req, ctx, next }, toSpecs(limited, version!, accountText), {
    name: wsgiQuote(pathInfoOf(req)),
    logger: ctx.logger,
    uaSuffix: "SLO MultipartGET",
    swiftSource: "SLO",
    maxGetTime: settings.maxGetTime,
    clock: settings.clock ?? SYSTEM_CLOCK,
  });
  try {
    await body.validateFirstSegment();
  } catch (err) {
    if (err instanceof SegmentError || err instanceof ListingIterError) {
      return errorResponseFor(req, new SwobError(409));
    }
    throw err;
  }
  return largeObjectResponse(req, { headers, body, conditionalEtag });
}

/** The listing items as SegmentedIterable specs (object segments get their full path). */
async function* toSpecs(
  listing: AsyncIterable<Seg & { first_byte: number; last_byte: number }>,
  version: string,
  account: string,
): AsyncGenerator<SegmentSpec> {
  for await (const seg of listing) {
    if (seg.raw_data) {
      yield { rawData: seg.raw_data, firstByte: seg.first_byte, lastByte: seg.last_byte };
      continue;
    }
    yield {
      path: `/${version}/${account}/${String(seg.name).replace(/^\/+/, "")}`,
      hash: seg.hash === undefined || seg.hash === null ? null : String(seg.hash),
      bytes: seg.bytes === undefined || seg.bytes === null ? null : Number(seg.bytes),
      firstByte: seg.first_byte,
      lastByte: seg.last_byte,
    };
  }
}
