/**
 * DELETE ?multipart-manifest=delete: the segments of the manifest (and of nested manifests,
 * breadth first, each manifest after its segments) are deleted through the rest of the
 * pipeline, then the manifest, reported as Swift's bulk delete reports (Bulk.handle_delete_iter
 * with get_segments_to_delete_iter()): a 200 whose body says "Response Status", the numbers
 * deleted and not found, and the errors, in the format the client's Accept asks for.
 *
 * Not done: `async=yes` with allow_async_delete (queueing the segments for the expirer);
 * such a request is served as a synchronous delete.
 */
import { pythonJsonLoads } from "../../common/python_json.ts";
import { pathInfoOf } from "../../object/swob_request.ts";
import { RESPONSE_REASONS, SwobError } from "../../object/swob_status.ts";
import { isTrue, pyQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { asyncStarmap } from "../segments/pile.ts";
import { type Clock, SYSTEM_CLOCK } from "../segments/rate_limit.ts";
import { sendSubrequest } from "../segments/subrequest.ts";
import { ignoreRangeIfPresent, splitPathOrUndefined, wsgiQuote } from "../segments/swob.ts";
import { acceptedFormat, responseBody } from "./response_body.ts";
import type { SloSettings } from "./settings.ts";

/** Bulk's yield_frequency for the deleter SLO builds (Bulk(app, {}) keeps the default). */
const BULK_YIELD_FREQUENCY = 10;
/** Bulk's max_failed_deletes default. */
const MAX_FAILED_DELETES = 1000;

/** swob's status line of a status code. */
export function statusLine(status: number, text = ""): string {
  return `${status} ${RESPONSE_REASONS[status]?.[0] ?? text}`;
}

interface DeleteItem {
  name: string;
  sub_slo?: boolean;
  data?: unknown;
  version_id?: string;
  error?: { code: number; message: string };
}

/** What the deletion reads from the client request. */
interface Origin {
  readonly req: Request;
  readonly ctx: RequestContext;
  readonly next: Handler;
  readonly settings: SloSettings;
  readonly params: ReadonlyMap<string, string>;
}

/** Serves DELETE ?multipart-manifest=delete. */
export function handleMultipartDelete(
  req: Request,
  ctx: RequestContext,
  next: Handler,
  settings: SloSettings,
  params: ReadonlyMap<string, string>,
): Response {
  // The client's Content-Type must not make the deleter refuse the request.
  const headers = new Headers(req.headers);
  headers.delete("Content-Type");
  const clientReq = new Request(req.url, { method: req.method, headers });
  const format = acceptedFormat(clientReq, undefined);
  const origin: Origin = { req: clientReq, ctx, next, settings, params };
  const body = ReadableStream.from(deleteIter(origin, format, settings.clock ?? SYSTEM_CLOCK));
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": format ?? "text/html; charset=UTF-8" },
  });
}

/** Bulk.handle_delete_iter() over the manifest's segments. */
async function* deleteIter(
  origin: Origin,
  format: string | undefined,
  clock: Clock,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let lastYield = clock.now();
  let toYield = format?.endsWith("/xml") ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
  let separator = "";
  const failed: [string, string][] = [];
  const result = new Map<string, unknown>([
    ["Response Status", "200 OK"],
    ["Response Body", ""],
    ["Number Deleted", 0],
    ["Number Not Found", 0],
  ]);
  const count = (key: string) => result.set(key, (result.get(key) as number) + 1);
  let failedStatus = "400 Bad Request";
  try {
    if (!format) throw new SwobError(406, { body: "" });
    const parts = splitPathOrUndefined(pathInfoOf(origin.req), 2, 3, true);
    if (!parts) throw new SwobError(404, { body: "" });
    const [version, account] = parts.map((p) => decodeWsgi(p ?? ""));
    const items = deletable(segmentsToDelete(origin), version, account, failed, count);
    const deletes = asyncStarmap(origin.settings.deleteConcurrency, items, async (item) => {
      const resp = await sendSubrequest(origin.next, origin.req, origin.ctx, {
        method: "DELETE",
        path: pyQuote(item.path) +
          (item.versionId === undefined ? "" : `?version-id=${pyQuote(item.versionId, "")}`),
        headers: { "X-Auth-Token": origin.req.headers.get("X-Auth-Token") ?? undefined },
        agent: "%(orig)s MultipartDELETE",
        swiftSource: "SLO",
      });
      await resp.body?.cancel();
      return { resp, name: item.name };
    });
    for await (const { resp, name } of deletes) {
      if (lastYield + BULK_YIELD_FREQUENCY < clock.now()) {
        lastYield = clock.now();
        yield encoder.encode(toYield);
        [toYield, separator] = [" ", "\r\n\r\n"];
      }
      const status = resp.status;
      if (status >= 200 && status <= 299) count("Number Deleted");
      else if (status === 404) count("Number Not Found");
      else if (status === 401) failed.push([pyQuote(name), statusLine(401)]);
      else {
        if (status >= 500 && status <= 599) failedStatus = "502 Bad Gateway";
        failed.push([pyQuote(name), statusLine(status, resp.statusText)]);
      }
      if (failed.length >= MAX_FAILED_DELETES) {
        // Swift drains the deletes in flight, then gives up.
        throw new SwobError(400, { body: "Max delete failures exceeded" });
      }
    }
    if (failed.length) {
      result.set("Response Status", failedStatus);
    } else if (!result.get("Number Deleted") && !result.get("Number Not Found")) {
      result.set("Response Status", "400 Bad Request");
      result.set("Response Body", "Invalid bulk delete.");
    }
  } catch (err) {
    if (err instanceof SwobError) {
      result.set("Response Status", statusLine(err.status));
      result.set("Response Body", err.init.body ?? err.message);
    } else {
      origin.ctx.logger.exception("Error in bulk delete.", err);
      result.set("Response Status", statusLine(500));
    }
  }
  yield encoder.encode(separator);
  yield responseBody(format, result, failed, "delete");
}

/** The text of a WSGI string (surrogate escapes for bytes that are not UTF-8). */
function decodeWsgi(wsgi: string): string {
  return new TextDecoder().decode(Uint8Array.from(wsgi, (c) => c.charCodeAt(0)));
}

/** check_utf8() of a text path: no NUL, no lone surrogate. */
function validUtf8(text: string): boolean {
  return text.length > 0 && !text.includes("\0") && text.isWellFormed();
}

/** delete_filter() for objects (objs_then_containers() never gets to containers here). */
async function* deletable(
  items: AsyncIterable<DeleteItem>,
  version: string,
  account: string,
  failed: [string, string][],
  count: (key: string) => void,
): AsyncGenerator<{ name: string; path: string; versionId?: string }> {
  for await (const item of items) {
    const name = item.name;
    if (!name || !name.replace(/^\/+|\/+$/g, "").includes("/")) continue;
    if (item.error) {
      if (item.error.code === 404) count("Number Not Found");
      else failed.push([pyQuote(name), item.error.message]);
      continue;
    }
    const path = ["", version, account, name.replace(/^\/+/, "")].join("/");
    if (!validUtf8(path)) {
      failed.push([pyQuote(name), statusLine(412)]);
      continue;
    }
    yield { name, path, versionId: item.version_id };
  }
}

/** get_segments_to_delete_iter(): segments first, each manifest after its own. */
async function* segmentsToDelete(origin: Origin): AsyncGenerator<DeleteItem> {
  const pathInfo = pathInfoOf(origin.req);
  const text = decodeWsgiStrict(pathInfo);
  if (text === undefined || text.includes("\0")) {
    throw new SwobError(412, { body: "Invalid UTF8 or contains NULL" });
  }
  const [, , container, obj] = splitPathOrUndefined(pathInfo, 4, 4, true)!;
  const segments: DeleteItem[] = [{
    sub_slo: true,
    name: `/${decodeWsgi(container!)}/${decodeWsgi(obj!)}`,
  }];
  const versionId = origin.params.get("version-id");
  if (versionId !== undefined) segments[0].version_id = versionId;
  while (segments.length) {
    // Operators may lower max_manifest_segments; still bound what is buffered.
    if (segments.length > origin.settings.maxManifestSegments * 10) {
      throw new SwobError(400, { body: "Too many buffered slo segments to delete." });
    }
    const seg = segments.shift()!;
    if ("data" in seg) continue;
    if (seg.sub_slo) {
      try {
        segments.push(...await sloSegments(origin, seg.name));
      } catch (err) {
        if (!(err instanceof SwobError)) throw err;
        seg.error = { code: err.status, message: err.init.body ?? err.message };
      }
      seg.sub_slo = false;
      segments.push(seg);
    } else {
      yield seg;
    }
  }
}

function decodeWsgiStrict(wsgi: string): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(wsgi, (c) => c.charCodeAt(0)),
    );
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** get_slo_segments(): the manifest's entries, or a SwobError saying why not. */
async function sloSegments(origin: Origin, name: string): Promise<DeleteItem[]> {
  const { req, ctx, next, params } = origin;
  const [version, account] = splitPathOrUndefined(pathInfoOf(req), 2, 3, true)!;
  let query = "multipart-manifest=get";
  if (params.has("version-id")) query += `&version-id=${params.get("version-id")}`;
  // A copy of the client's environ: its headers go along, turned into a GET.
  const headers = new Headers(req.headers);
  headers.set("Content-Length", "0");
  headers.set("User-Agent", `${req.headers.get("User-Agent") ?? "None"} MultipartDELETE`);
  const path = `/${version}/${account}/${strToWsgi(name.replace(/^\/+/, ""))}`;
  const url = new URL(`${wsgiQuote(path)}?${query}`, req.url);
  const env = { ...ctx.env, "swift.source": "SLO" };
  const get = async (range: boolean) => {
    const h = new Headers(headers);
    if (range) {
      // Only the last byte of a non-manifest: nothing big is read to learn it is not one.
      h.set("Range", "bytes=-1");
      ignoreRangeIfPresent(h, "X-Static-Large-Object");
    }
    return await next(new Request(url, { method: "GET", headers: h }), { ...ctx, env });
  };
  let resp = await get(true);
  let body = new Uint8Array(await resp.arrayBuffer());
  const ok = resp.status >= 200 && resp.status <= 299;
  if (ok && isTrue(resp.headers.get("X-Static-Large-Object")) && body.length === 1) {
    // An object server older than 2.24 honoured the Range on the manifest.
    resp = await get(false);
    body = new Uint8Array(await resp.arrayBuffer());
  }
  if (resp.status >= 200 && resp.status <= 299) {
    if (!isTrue(resp.headers.get("X-Static-Large-Object"))) {
      throw new SwobError(400, { body: "Not an SLO manifest" });
    }
    try {
      return pythonJsonLoads(body) as unknown as DeleteItem[];
    } catch {
      throw new SwobError(500, { body: "Unable to load SLO manifest" });
    }
  }
  if (resp.status === 404) throw new SwobError(404, { body: "SLO manifest not found" });
  if (resp.status === 401) throw new SwobError(401, { body: "401 Unauthorized" });
  throw new SwobError(500, { body: "Unable to load SLO manifest or segment." });
}

/** str_to_wsgi(): the UTF-8 bytes of `text` as a WSGI string. */
function strToWsgi(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}
