/**
 * egg:swift#slo (swift/common/middleware/slo.py, Swift 2.30): static large objects.
 *
 * - PUT ?multipart-manifest=put: validates a JSON manifest and stores it (slo/put.ts);
 * - GET/HEAD: a manifest is served as its segments concatenated (slo/get.ts);
 * - DELETE ?multipart-manifest=delete: deletes segments, then the manifest (slo/delete.ts);
 * - container GET listings in JSON: the `slo_etag` saved in the listing's hash parameters
 *   becomes its own key;
 * - any other request with X-Static-Large-Object is refused (the header is reserved).
 *
 * A request whose context has `swift.slo_override` passes through untouched. The limits are
 * published in /info: sloInfo() gives the "slo" section.
 */
import { type JsonValue, pythonJsonDumps, pythonJsonLoads } from "../common/python_json.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { SLO_FILTER } from "../config/options/slo.ts";
import { pathInfoOf } from "../object/swob_request.ts";
import { SwobError } from "../object/swob_status.ts";
import { MimeTypes } from "../proxy/mime_types.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import {
  errorResponseFor,
  queryStringOf,
  splitPathOrUndefined,
  swobParams,
} from "./segments/swob.ts";
import { handleMultipartDelete } from "./slo/delete.ts";
import { handleSloGetOrHead } from "./slo/get.ts";
import { handleMultipartPut } from "./slo/put.ts";
import type { SloSettings } from "./slo/settings.ts";

export type { SloSettings } from "./slo/settings.ts";

/** listing_formats.MAX_CONTAINER_LISTING_CONTENT_LENGTH: longer listings are left alone. */
const MAX_CONTAINER_LISTING_CONTENT_LENGTH = 1024 * 10000 * 2;

/** The slo options that matter to /info (as filter_factory() parses them). */
export interface SloInfoOptions {
  readonly max_manifest_segments: number;
  readonly max_manifest_size: number;
  readonly yield_frequency: number;
  readonly allow_async_delete: boolean;
}

/** register_swift_info('slo', ...): the /info section of the slo filter. */
export function sloInfo(options: SloInfoOptions): Record<string, unknown> {
  return {
    max_manifest_segments: options.max_manifest_segments,
    max_manifest_size: options.max_manifest_size,
    yield_frequency: options.yield_frequency,
    // No longer configurable; still reported for clients that read it.
    min_segment_size: 1,
    allow_async_delete: options.allow_async_delete,
  };
}

/** Builds the slo filter (Swift's filter_factory). */
export function sloFilter(stage: StageConfig, _build: BuildContext): Filter {
  const o = optionsOf(stage, SLO_FILTER);
  const concurrency = Math.min(1000, Math.max(0, o.concurrency));
  // Swift's proxy loads swift_dir/mime.types into the mimetypes module slo guesses with.
  let mime: MimeTypes | undefined;
  return sloFilterWith({
    maxManifestSegments: o.max_manifest_segments,
    maxManifestSize: o.max_manifest_size,
    yieldFrequency: o.yield_frequency,
    allowAsyncDelete: o.allow_async_delete,
    maxGetTime: o.max_get_time,
    rateLimitUnderSize: o.rate_limit_under_size,
    rateLimitAfterSegment: o.rate_limit_after_segment,
    rateLimitSegmentsPerSec: o.rate_limit_segments_per_sec,
    concurrency,
    deleteConcurrency: Math.min(1000, Math.max(1, o.delete_concurrency ?? concurrency)),
    guessType: (path) => (mime ??= new MimeTypes(o.swift_dir)).guess(path),
  });
}

/** Builds the slo filter from explicit settings. */
export function sloFilterWith(settings: SloSettings): Filter {
  return (next) => {
    const slo: Handler = async function slo(req, ctx) {
      if (ctx.env["swift.slo_override"]) return await next(req, ctx);
      const parts = splitPathOrUndefined(pathInfoOf(req), 3, 4, true);
      if (!parts) return await next(req, ctx);
      if (!parts[3]) {
        if (req.method === "GET") return await containerListing(req, ctx, next);
        return await next(req, ctx);
      }
      const params = swobParams(queryStringOf(req.url));
      const manifest = params.get("multipart-manifest");
      try {
        if (req.method === "PUT" && manifest === "put") {
          return await handleMultipartPut(req, ctx, next, slo, settings, params);
        }
        if (req.method === "DELETE" && manifest === "delete") {
          return handleMultipartDelete(req, ctx, next, settings, params);
        }
        if (req.method === "GET" || req.method === "HEAD") {
          return await handleSloGetOrHead(req, ctx, next, settings, params);
        }
        if (req.headers.has("X-Static-Large-Object")) {
          throw new SwobError(400, {
            body: "X-Static-Large-Object is a reserved header. To create a static large " +
              "object add query param multipart-manifest=put.",
          });
        }
      } catch (err) {
        if (err instanceof SwobError) return errorResponseFor(req, err);
        throw err;
      }
      return await next(req, ctx);
    };
    return slo;
  };
}

/** cgi.parse_header(): the value and its parameters (names lower-cased, quotes removed). */
function parseHeader(line: string): [string, Map<string, string>] {
  const parts: string[] = [];
  let rest = ";" + line;
  while (rest.startsWith(";")) {
    rest = rest.slice(1);
    let end = rest.indexOf(";");
    while (
      end > 0 &&
      ((rest.slice(0, end).split('"').length - 1) - (rest.slice(0, end).split('\\"').length - 1)) %
        2
    ) {
      end = rest.indexOf(";", end + 1);
    }
    if (end < 0) end = rest.length;
    parts.push(rest.slice(0, end).trim());
    rest = rest.slice(end);
  }
  const value = parts.shift() ?? "";
  const params = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
      v = v.slice(1, -1).replaceAll("\\\\", "\\").replaceAll('\\"', '"');
    }
    params.set(name, v);
  }
  return [value, params];
}

/** handle_container_listing(): slo_etag out of each JSON listing entry's hash. */
async function containerListing(
  req: Request,
  ctx: RequestContext,
  next: Handler,
): Promise<Response> {
  const resp = await next(req, ctx);
  const type = resp.headers.get("Content-Type")?.split(";")[0];
  const length = resp.headers.get("Content-Length");
  if (
    resp.status < 200 || resp.status > 299 || type !== "application/json" || length === null ||
    Number(length) > MAX_CONTAINER_LISTING_CONTENT_LENGTH
  ) {
    return resp;
  }
  const body = new Uint8Array(await resp.arrayBuffer());
  let listing: JsonValue;
  try {
    listing = pythonJsonLoads(body);
  } catch {
    return new Response(body, {
      status: resp.status,
      statusText: resp.statusText,
      headers: resp.headers,
    });
  }
  const items = (listing as Record<string, JsonValue>[]).map((item) => {
    if ("subdir" in item) return item;
    const [etag, params] = parseHeader(String(item.hash));
    if (!params.has("slo_etag")) return item;
    const out = new Map<string, JsonValue>();
    for (const [key, value] of Object.entries(item)) out.set(key, value);
    const sloEtag = params.get("slo_etag");
    params.delete("slo_etag");
    out.set("slo_etag", `"${sloEtag}"`);
    out.set("hash", etag + [...params].map(([k, v]) => `; ${k}=${v}`).join(""));
    return out;
  });
  const json = new TextEncoder().encode(pythonJsonDumps(items));
  const headers = new Headers(resp.headers);
  headers.set("Content-Length", String(json.length));
  return new Response(json, { status: resp.status, statusText: resp.statusText, headers });
}
