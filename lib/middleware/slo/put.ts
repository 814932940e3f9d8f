/**
 * PUT ?multipart-manifest=put (StaticLargeObject.handle_multipart_put()): the client's
 * manifest is validated, every object-backed segment is HEADed (through the slo filter itself,
 * so a nested SLO answers with its own ETag and size), and the manifest Swift stores is PUT with
 * X-Static-Large-Object, the SLO's ETag and size in sysmeta, `swift_bytes` in Content-Type and
 * the container listing's etag override. Problems come back as one 400 listing each bad
 * segment (text, JSON or XML after Accept). With `heartbeat=on` the answer is a 202 at once,
 * whitespace every yield_frequency seconds while segments are checked, then the final status
 * in the body.
 */
import { createHash } from "node:crypto";
import { pythonJsonDumps } from "../../common/python_json.ts";
import { normalizeEtag } from "../../object/conditional.ts";
import { parseHttpDate } from "../../object/http_date.ts";
import { rangesForLength } from "../../object/ranges.ts";
import { pathInfoOf } from "../../object/swob_request.ts";
import { RESPONSE_REASONS, SwobError } from "../../object/swob_status.ts";
import { isTrue, pyQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { asyncStarmap } from "../segments/pile.ts";
import { SYSTEM_CLOCK } from "../segments/rate_limit.ts";
import { makeSubrequest } from "../segments/subrequest.ts";
import { splitPathOrUndefined, wsgiQuote } from "../segments/swob.ts";
import { statusLine } from "./delete.ts";
import {
  parseAndValidateInput,
  type PathSegmentInput,
  type SegmentInput,
  strictB64decode,
} from "./manifest_input.ts";
import { acceptedFormat, responseBody } from "./response_body.ts";
import { type SloSettings, SYSMETA_SLO_ETAG, SYSMETA_SLO_SIZE } from "./settings.ts";

/** An entry of the stored manifest. */
type StoredSegment = Map<string, unknown>;

const OVERRIDE_ETAG = "X-Object-Sysmeta-Container-Update-Override-Etag";

/** A callback left of slo may check or change the manifest (swift.callback.slo_manifest_hook). */
export type ManifestHook = (segments: unknown[]) => [string, string][] | undefined;

/** Reads at most `limit` bytes of the body (req.body_file.read(limit)). */
async function readUpTo(req: Request, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    try {
      while (total < limit) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value.subarray(0, limit - total));
        total += Math.min(value.length, limit - total);
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** datetime.strftime('%Y-%m-%dT%H:%M:%S.%f') of Last-Modified (now when it has none). */
function lastModifiedOf(resp: Response): string {
  const seconds = parseHttpDate(resp.headers.get("Last-Modified") ?? undefined);
  const date = seconds === undefined ? new Date() : new Date(seconds * 1000);
  const micros = seconds === undefined
    ? String(date.getUTCMilliseconds() * 1000).padStart(6, "0")
    : "000000";
  return date.toISOString().slice(0, 19) + "." + micros;
}

/** Serves PUT ?multipart-manifest=put; `self` is the slo handler (segment HEADs go through it). */
export async function handleMultipartPut(
  req: Request,
  ctx: RequestContext,
  next: Handler,
  self: Handler,
  settings: SloSettings,
  params: ReadonlyMap<string, string>,
): Promise<Response> {
  const pathInfo = pathInfoOf(req);
  const [version, account] = splitPathOrUndefined(pathInfo, 4, 4, true)!;
  if (req.headers.get("X-Copy-From")) {
    throw new SwobError(405, { body: "Multipart Manifest PUTs cannot be COPY requests" });
  }
  const length = req.headers.get("Content-Length");
  if (length === null) {
    if ((req.headers.get("Transfer-Encoding") ?? "").toLowerCase() !== "chunked") {
      throw new SwobError(411);
    }
  } else if (Number(length) > settings.maxManifestSize) {
    throw new SwobError(413, { body: `Manifest File > ${settings.maxManifestSize} bytes` });
  }
  const reqPath = wsgiQuote(pathInfo);
  const parsed = parseAndValidateInput(await readUpTo(req, settings.maxManifestSize), reqPath);
  const objectCount = parsed.filter((seg) => "path" in seg).length;
  if (objectCount > settings.maxManifestSegments) {
    throw new SwobError(413, {
      body: `Number of object-backed segments must be <= ${settings.maxManifestSegments}`,
    });
  }
  const format = acceptedFormat(req, "text/plain") ?? "text/plain";
  const heartbeat = isTrue(params.get("heartbeat"));
  const run = putIter({
    req,
    ctx,
    next,
    self,
    settings,
    parsed,
    format,
    heartbeat,
    version: version!,
    account: account!,
  });
  if (heartbeat) {
    return new Response(ReadableStream.from(bytesOf(run)), {
      status: 202,
      headers: { "Content-Type": format },
    });
  }
  // Without heartbeats the status is known only once every segment was checked.
  const step = await run.next();
  return step.value as Response;
}

async function* bytesOf(run: AsyncGenerator<Uint8Array | Response>): AsyncGenerator<Uint8Array> {
  for await (const item of run) if (item instanceof Uint8Array) yield item;
}

interface PutJob {
  readonly req: Request;
  readonly ctx: RequestContext;
  readonly next: Handler;
  readonly self: Handler;
  readonly settings: SloSettings;
  readonly parsed: SegmentInput[];
  readonly format: string;
  readonly heartbeat: boolean;
  readonly version: string;
  readonly account: string;
}

/** The resp_iter() generator: heartbeat bytes, then the final body (or a Response without heartbeat). */
async function* putIter(job: PutJob): AsyncGenerator<Uint8Array | Response> {
  const { req, ctx, settings, parsed, format, heartbeat } = job;
  const encoder = new TextEncoder();
  const clock = settings.clock ?? SYSTEM_CLOCK;
  const separator = heartbeat ? "\r\n\r\n" : "";
  const problems: [string, string][] = [];
  const stored: (StoredSegment | undefined)[] = new Array(parsed.length);
  let totalSize = 0;
  const pathToIndices = new Map<string, number[]>();
  parsed.forEach((seg, index) => {
    if ("data" in seg) {
      stored[index] = new Map([["data", seg.data]]);
      totalSize += strictB64decode(seg.data)!.length;
    } else {
      const list = pathToIndices.get(seg.path) ?? [];
      list.push(index);
      pathToIndices.set(seg.path, list);
    }
  });
  if (heartbeat) yield encoder.encode(" ");
  let lastYield = clock.now();
  const heads = asyncStarmap(
    settings.concurrency,
    pathToIndices.keys(),
    (name) => headSegment(job, name),
  );
  for await (const [name, resp] of heads) {
    const now = clock.now();
    if (heartbeat && now - lastYield > settings.yieldFrequency) {
      yield encoder.encode(" ");
      lastYield = now;
    }
    for (const i of pathToIndices.get(name)!) {
      const [segLength, data] = validateSegment(
        parsed[i] as PathSegmentInput,
        resp,
        i === parsed.length - 1,
        problems,
      );
      stored[i] = data;
      totalSize += segLength;
    }
  }
  const hook = ctx.env["swift.callback.slo_manifest_hook"] as ManifestHook | undefined;
  if (hook) problems.push(...hook(stored) ?? []);

  if (problems.length) {
    const result = new Map<string, unknown>();
    if (heartbeat) {
      result.set("Response Status", statusLine(400));
      result.set("Response Body", RESPONSE_REASONS[400].join("\n"));
      yield concat(encoder.encode(separator), responseBody(format, result, problems, "upload"));
      return;
    }
    yield new Response(
      responseBody(format, result, problems, "upload") as Uint8Array<ArrayBuffer>,
      {
        status: 400,
        headers: { "Content-Type": format },
      },
    );
    return;
  }

  const sloEtagHash = createHash("md5");
  for (const seg of stored as StoredSegment[]) {
    if (seg.has("data")) {
      sloEtagHash.update(createHash("md5").update(strictB64decode(seg.get("data"))!).digest("hex"));
    } else if (seg.get("range")) {
      sloEtagHash.update(`${seg.get("hash")}:${seg.get("range")};`);
    } else {
      sloEtagHash.update(String(seg.get("hash")));
    }
  }
  const sloEtag = sloEtagHash.digest("hex");
  const clientEtag = normalizeEtag(req.headers.get("ETag") ?? "");
  if (clientEtag && clientEtag !== sloEtag) {
    if (heartbeat) {
      const result = new Map<string, unknown>([
        ["Response Status", statusLine(422)],
        ["Response Body", RESPONSE_REASONS[422].join("\n")],
      ]);
      yield concat(encoder.encode(separator), responseBody(format, result, problems, "upload"));
      return;
    }
    throw new SwobError(422);
  }
  const resp = await putManifest(job, stored as StoredSegment[], sloEtag, totalSize);
  if (!heartbeat) {
    yield resp;
    return;
  }
  const result = new Map<string, unknown>([[
    "Response Status",
    statusLine(resp.status, resp.statusText),
  ]]);
  const body = await resp.text();
  if (resp.status >= 200 && resp.status <= 299) {
    result.set("Etag", `"${sloEtag}"`);
    result.set("Last Modified", resp.headers.get("Last-Modified"));
  }
  result.set("Response Body", body);
  yield concat(encoder.encode(separator), responseBody(format, result, [], "upload"));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** do_head(): HEAD of one segment, through the slo filter. */
async function headSegment(job: PutJob, name: string): Promise<[string, Response]> {
  const path = wsgiQuote(`/${job.version}/${job.account}/${strToWsgi(name.replace(/^\/+/, ""))}`);
  const sub = makeSubrequest(job.req, job.ctx, {
    method: "HEAD",
    path,
    headers: { "X-Auth-Token": job.req.headers.get("X-Auth-Token") ?? undefined },
    agent: "%(orig)s SLO MultipartPUT",
    swiftSource: "SLO",
  });
  const resp = await job.self(sub.req, sub.ctx);
  await resp.body?.cancel();
  return [name, resp];
}

function strToWsgi(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** validate_seg_dict(): the segment's length and stored entry; problems go to `problems`. */
function validateSegment(
  seg: PathSegmentInput,
  resp: Response,
  allowEmpty: boolean,
  problems: [string, string][],
): [number, StoredSegment | undefined] {
  const name = seg.path;
  if (resp.status < 200 || resp.status > 299) {
    problems.push([pyQuote(name), statusLine(resp.status, resp.statusText)]);
    return [0, undefined];
  }
  const lengthHeader = resp.headers.get("Content-Length");
  const contentLength = lengthHeader === null ? undefined : Number(lengthHeader);
  let segmentLength = contentLength ?? 0;
  let range: string | undefined;
  if (seg.range) {
    const ranges = contentLength === undefined ? [] : rangesForLength([seg.range], contentLength);
    if (!ranges.length) {
      problems.push([pyQuote(name), "Unsatisfiable Range"]);
    } else if (ranges[0][0] === 0 && ranges[0][1] === contentLength) {
      // The range is the whole object: it is stored as a plain segment.
      segmentLength = contentLength;
    } else {
      range = `${ranges[0][0]}-${ranges[0][1] - 1}`;
      segmentLength = ranges[0][1] - ranges[0][0];
    }
  }
  if (segmentLength < 1 && !allowEmpty) {
    problems.push([pyQuote(name), "Too small; each segment must be at least 1 byte."]);
  }
  if (seg.sizeBytes !== undefined && seg.sizeBytes !== null && seg.sizeBytes !== contentLength) {
    problems.push([pyQuote(name), "Size Mismatch"]);
  }
  const etag = resp.headers.get("ETag")?.replaceAll('"', "") || undefined;
  if (seg.etag !== undefined && seg.etag !== null && seg.etag !== etag) {
    problems.push([pyQuote(name), "Etag Mismatch"]);
  }
  const type = resp.headers.get("Content-Type");
  const data: StoredSegment = new Map<string, unknown>([
    ["name", "/" + name.replace(/^\/+/, "")],
    ["bytes", contentLength ?? null],
    ["hash", etag ?? null],
    ["content_type", type === null ? null : type.split(";")[0]],
    ["last_modified", lastModifiedOf(resp)],
  ]);
  if (range) data.set("range", range);
  if (isTrue(resp.headers.get("X-Static-Large-Object"))) data.set("sub_slo", true);
  return [segmentLength, data];
}

/** The PUT of the manifest Swift stores, through the rest of the pipeline. */
async function putManifest(
  job: PutJob,
  stored: StoredSegment[],
  sloEtag: string,
  totalSize: number,
): Promise<Response> {
  const { req, ctx, next, settings } = job;
  const json = new TextEncoder().encode(pythonJsonDumps(stored));
  const headers = new Headers(req.headers);
  headers.delete("Transfer-Encoding");
  headers.set("Content-Length", String(json.length));
  headers.set(SYSMETA_SLO_ETAG, sloEtag);
  headers.set(SYSMETA_SLO_SIZE, String(totalSize));
  headers.set("X-Static-Large-Object", "True");
  const manifestEtag = createHash("md5").update(json).digest("hex");
  headers.set("ETag", manifestEtag);
  // Container listings get both etags; an override set left of slo is kept as the base.
  const override = headers.get(OVERRIDE_ETAG) ?? "";
  const at = override.indexOf(";");
  const [value, sep, params] = at < 0
    ? [override, "", ""]
    : [override.slice(0, at), ";", override.slice(at + 1)];
  headers.set(OVERRIDE_ETAG, `${(value || manifestEtag) + sep + params}; slo_etag=${sloEtag}`);
  let type = req.headers.get("Content-Type");
  if (!type) {
    const path = new TextDecoder().decode(
      Uint8Array.from(pathInfoOf(req), (c) => c.charCodeAt(0)),
    );
    type = settings.guessType?.(path) ?? "application/octet-stream";
  }
  headers.set("Content-Type", `${type};swift_bytes=${totalSize}`);
  ctx.env["swift.content_type_overridden"] = true;
  const resp = await next(new Request(req.url, { method: "PUT", headers, body: json }), ctx);
  if (resp.status < 200 || resp.status > 299) return resp;
  const out = new Headers(resp.headers);
  out.set("ETag", `"${sloEtag}"`);
  return new Response(resp.body, {
    status: resp.status,
    statusText: resp.statusText,
    headers: out,
  });
}
