/**
 * SloGetContext._segment_listing_iterator(): the manifest entries holding each wanted byte
 * range, descending into nested manifests (fetched from below the slo filter, at most 10 deep,
 * the last 20 kept) so a range that skips a sub-manifest never fetches it.
 */
import { pythonJsonLoads } from "../../common/python_json.ts";
import type { SwiftLogger } from "../../log/logger.ts";
import { pyQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { ListingIterError } from "../segments/segmented_iterable.ts";
import { sendSubrequest } from "../segments/subrequest.ts";
import { splitPathOrUndefined, wsgiQuote } from "../segments/swob.ts";
import { pathInfoOf } from "../../object/swob_request.ts";
import { strictB64decode } from "./manifest_input.ts";
import { overrideBytesFromContentType, segmentLength } from "./settings.ts";

/** A manifest entry being served (inline data decoded into raw_data). */
export type Seg = Record<string, unknown> & { raw_data?: Uint8Array };

/** An entry with the bytes of it wanted. */
export type WantedSeg = Seg & { first_byte: number; last_byte: number };

/** The client request the entries are fetched for. */
export interface Origin {
  readonly req: Request;
  readonly ctx: RequestContext;
  readonly next: Handler;
  readonly logger: SwiftLogger;
}

const MAX_RECURSION_DEPTH = 10;
const CACHE_SIZE = 20;

/** Python's repr() of a str without quotes or backslashes in it. */
function pyReprStr(text: string): string {
  return text.includes("'") && !text.includes('"')
    ? `"${text}"`
    : `'${text.replaceAll("'", "\\'")}'`;
}

/** _segment_listing_iterator(). */
export async function* subSloSegments(
  origin: Origin,
  version: string,
  account: string,
  segments: Seg[],
  byteranges: [number, number][],
): AsyncGenerator<WantedSeg> {
  for (const seg of segments) {
    if (isTrueValue(seg.sub_slo)) overrideBytesFromContentType(seg);
  }
  const total = segments.reduce((n, seg) => n + segmentLength(seg), 0);
  if (!byteranges.length) byteranges = [[0, total - 1]];
  const cache = new Map<string, Seg[]>();
  const fetchCached = async (container: string, obj: string): Promise<Seg[]> => {
    const key = `${container}/${obj}`;
    let found = cache.get(key);
    if (found) {
      cache.delete(key);
    } else {
      found = await fetchSubManifest(origin, version, account, container, obj);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, found);
    return found;
  };
  for (const [first, last] of byteranges) {
    yield* byterangeSegments(origin, segments, first, last, fetchCached, 1);
  }
}

function isTrueValue(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** _byterange_listing_iterator(). */
async function* byterangeSegments(
  origin: Origin,
  segments: Seg[],
  firstByte: number,
  lastByte: number,
  fetchCached: (container: string, obj: string) => Promise<Seg[]>,
  depth: number,
): AsyncGenerator<WantedSeg> {
  let lastSubPath: string | undefined;
  let subSegments: Seg[] = [];
  for (const seg of segments) {
    if ("data" in seg) {
      const raw = strictB64decode(seg.data);
      if (!raw) throw new TypeError("Invalid base64 in a manifest data segment");
      seg.raw_data = raw;
      delete seg.data;
    }
    const length = segmentLength(seg);
    if (firstByte >= length) {
      firstByte -= length;
      lastByte -= length;
      continue;
    }
    if (lastByte < 0) return;
    if (seg.raw_data) {
      yield {
        ...seg,
        first_byte: Math.max(0, firstByte),
        last_byte: Math.min(length - 1, lastByte),
      };
      firstByte -= length;
      lastByte -= length;
      continue;
    }
    let rangeStart = 0;
    let rangeEnd = length - 1;
    if (seg.range !== undefined && seg.range !== null) {
      [rangeStart, rangeEnd] = String(seg.range).split("-").map(Number);
    }
    if (isTrueValue(seg.sub_slo)) {
      if (depth >= MAX_RECURSION_DEPTH) {
        const path = wsgiQuote(pathInfoOf(origin.req));
        throw new ListingIterError(
          `While processing manifest ${pyReprStr(path)}, max recursion depth was exceeded`,
        );
      }
      const subPath = String(seg.name);
      const parts = splitPathOrUndefined(subPath, 2, 2, true);
      if (!parts) throw new TypeError(`Invalid path: ${pyQuote(subPath)}`);
      if (lastSubPath !== subPath) subSegments = await fetchCached(parts[0]!, parts[1]!);
      lastSubPath = subPath;
      yield* byterangeSegments(
        origin,
        subSegments,
        rangeStart + Math.max(0, firstByte),
        Math.min(rangeEnd, rangeStart + lastByte),
        fetchCached,
        depth + 1,
      );
    } else {
      yield {
        ...seg,
        first_byte: Math.max(0, firstByte) + rangeStart,
        last_byte: Math.min(rangeEnd, rangeStart + lastByte),
      };
    }
    firstByte -= length;
    lastByte -= length;
  }
}

/** _fetch_sub_slo_segments(): a nested manifest, read from below the slo filter. */
async function fetchSubManifest(
  origin: Origin,
  version: string,
  account: string,
  container: string,
  obj: string,
): Promise<Seg[]> {
  const { req, ctx, next } = origin;
  const path = pyQuote(`/${version}/${account}/${container}/${obj}`);
  const resp = await sendSubrequest(next, req, ctx, {
    method: "GET",
    path,
    headers: { "X-Auth-Token": req.headers.get("X-Auth-Token") ?? undefined },
    agent: "%(orig)s SLO MultipartGET",
    swiftSource: "SLO",
  });
  const reqPath = wsgiQuote(pathInfoOf(req));
  if (resp.status < 200 || resp.status > 299) {
    const body = await resp.text();
    const shown = body.length <= 60 ? body : body.slice(0, 57) + "...";
    throw new ListingIterError(
      `while fetching ${reqPath}, GET of submanifest ${path} failed with status ` +
        `${resp.status} (${shown})`,
    );
  }
  try {
    return pythonJsonLoads(new Uint8Array(await resp.arrayBuffer())) as Seg[];
  } catch (err) {
    throw new ListingIterError(
      `while fetching ${reqPath}, JSON-decoding of submanifest ${path} failed with ` +
        `${(err as Error).message}`,
    );
  }
}
