/**
 * PUT ?extract-archive=tar|tar.gz|tar.bz2 (Bulk.handle_extract_iter()): the archive is read
 * from the request body as it arrives; each regular file under a container becomes an object
 * PUT (its data streamed from the archive), containers are HEADed and created on first use.
 * The report ("Number Files Created", "Errors", "Response Status", "Response Body") comes
 * last, after whitespace sent every yield_frequency seconds while work goes on.
 */
import { encodeUtf8 } from "../../common/python_codecs.ts";
import { TarError, TarReader } from "../../common/tar_reader.ts";
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import type { Handler } from "../compose.ts";
import { SYSTEM_CLOCK } from "../segments/rate_limit.ts";
import { splitPathOrUndefined } from "../segments/swob.ts";
import { InflateError } from "./inflate.ts";
import { type BulkReport, finalChunk, requireLength, swobErrorBody } from "./report.ts";
import type { BulkSettings } from "./settings.ts";
import { bulkSubrequest } from "./subrequest.ts";
import { BodyReader, type Compression, TarStream } from "./tar_stream.ts";
import { checkUtf8, pathInfo, queryString, statusLine } from "./wsgi.ts";

/** What one extraction works from. */
export interface ExtractJob {
  readonly req: Request;
  readonly ctx: RequestContext;
  readonly next: Handler;
  readonly settings: BulkSettings;
  readonly compression: Compression;
  /** The negotiated report format; undefined when Accept allows none (406). */
  readonly format: string | undefined;
}

/** CreateContainerError: the container HEAD or PUT failed with this status. */
class CreateContainerError extends Error {
  constructor(readonly status: number, readonly statusText: string) {
    super(statusText);
  }
}

const encoder = new TextEncoder();

/** pax_key_to_swift_header(): the header an xattr in a pax header becomes, if any. */
function paxKeyToHeader(key: string): string | undefined {
  if (key === "SCHILY.xattr.user.mime_type" || key === "LIBARCHIVE.xattr.user.mime_type") {
    return "Content-Type";
  }
  for (const prefix of ["SCHILY.xattr.user.meta.", "LIBARCHIVE.xattr.user.meta."]) {
    if (key.startsWith(prefix)) {
      return "X-Object-Meta-" + latin1(encodeUtf8(key.slice(prefix.length), "surrogateescape"));
    }
  }
  return undefined;
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/** Sends a subrequest and lets its body go (swob's get_response() reads it whole). */
async function send(job: ExtractJob, init: Parameters<typeof bulkSubrequest>[3]) {
  const sub = bulkSubrequest(job.req, job.ctx, queryString(job.req), init);
  const resp = await job.next(sub.req, sub.ctx);
  await resp.body?.cancel().catch(() => {});
  return resp;
}

/** Bulk.create_container(): true when created, false when it exists. */
async function createContainer(job: ExtractJob, path: string): Promise<boolean> {
  const init = {
    path: wsgiQuote(path),
    headers: { "X-Auth-Token": job.req.headers.get("X-Auth-Token") ?? undefined },
    agent: "Swift",
    swiftSource: "EA",
  };
  let resp = await send(job, { ...init, method: "HEAD" });
  if (resp.status >= 200 && resp.status <= 299) return false;
  if (resp.status === 404) {
    resp = await send(job, { ...init, method: "PUT" });
    if (resp.status >= 200 && resp.status <= 299) return true;
  }
  throw new CreateContainerError(resp.status, statusLine(resp.status, resp.statusText));
}

/** The headers of an object PUT: the member's size, the client's token, expiry and metadata. */
function objectHeaders(req: Request, size: number): Headers {
  const headers = new Headers({ "Content-Length": String(size) });
  const token = req.headers.get("X-Auth-Token");
  if (token !== null) headers.set("X-Auth-Token", token);
  for (const [name, value] of req.headers) {
    if (
      name === "x-delete-at" || name === "x-delete-after" ||
      (name.length > 14 && name.startsWith("x-object-meta-"))
    ) {
      headers.set(name, value);
    }
  }
  return headers;
}

/** handle_extract_iter(): heartbeat bytes, then the report. */
export async function* extractIter(job: ExtractJob): AsyncGenerator<Uint8Array> {
  const { req, settings, format } = job;
  const clock = settings.clock ?? SYSTEM_CLOCK;
  const report: BulkReport = {
    data: new Map<string, unknown>([
      ["Response Status", statusLine(201)],
      ["Response Body", ""],
      ["Number Files Created", 0],
    ]),
    errors: [],
  };
  const failed = report.errors;
  let lastYield = clock.now();
  let toYield = format?.endsWith("/xml") ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
  let separator = "";
  const accessed = new Set<string>();
  const file = new BodyReader(req.body);
  const cut = (path: string) => wsgiQuote(path.slice(0, settings.maxPathLength));
  try {
    if (!format) throw new SwobError(406, { body: "" });
    requireLength(req);
    const parts = splitPathOrUndefined(pathInfo(req), 2, 3, true);
    if (!parts) throw new SwobError(404, { body: "" });
    const [vrs, account] = parts as string[];
    const extractBase = (parts[2] ?? "").replace(/\/+$/, "");
    const tar = await TarReader.open(await TarStream.open(file, job.compression));
    let failedStatus = 400;
    let containersCreated = 0;
    for (;;) {
      if (lastYield + settings.yieldFrequency < clock.now()) {
        lastYield = clock.now();
        yield encoder.encode(toYield);
        [toYield, separator] = [" ", "\r\n\r\n"];
      }
      const info = await tar.next();
      if (!info || failed.length >= settings.maxFailedExtractions) break;
      if (!info.isfile()) continue;
      let objPath = latin1(encodeUtf8(info.name, "surrogateescape"));
      if (objPath.startsWith("./")) objPath = objPath.slice(2);
      objPath = objPath.replace(/^\/+/, "");
      if (extractBase) objPath = extractBase + "/" + objPath;
      if (!objPath.includes("/")) continue; // files at the top level have no container
      const destination = ["", vrs, account, objPath].join("/");
      const container = objPath.split("/", 1)[0];
      if (!checkUtf8(destination)) {
        failed.push([cut(objPath), statusLine(412)]);
        continue;
      }
      if (info.size > settings.maxFileSize) {
        failed.push([cut(objPath), statusLine(413)]);
        continue;
      }
      let containerFailure: [string, string] | undefined;
      if (!accessed.has(container)) {
        const contPath = ["", vrs, account, container].join("/");
        try {
          if (await createContainer(job, contPath)) {
            if (++containersCreated > settings.maxContainers) {
              throw new SwobError(400, {
                body: `More than ${settings.maxContainers} containers to create from tar.`,
              });
            }
          }
        } catch (err) {
          if (!(err instanceof CreateContainerError)) throw err;
          // The object PUT may still succeed if ACLs allow it.
          containerFailure = [cut(contPath), err.statusText];
          if (err.status === 401) throw new SwobError(401, { body: "" });
        }
      }
      const headers = objectHeaders(req, info.size);
      for (const [key, value] of info.paxHeaders) {
        const name = paxKeyToHeader(key);
        if (!name) continue;
        const bytes = latin1(encodeUtf8(value));
        try {
          headers.set(name, bytes);
        } catch {
          // A name or value a Fetch header cannot carry (Swift would pass it on); left out.
        }
      }
      const member = tar.extractfile(info);
      const sub = bulkSubrequest(req, job.ctx, queryString(req), {
        method: "PUT",
        path: wsgiQuote(destination),
        headers: Object.fromEntries(headers),
        body: member.stream(),
        agent: "%(orig)s BulkExpand",
        swiftSource: "EA",
      });
      const resp = await job.next(sub.req, sub.ctx);
      await resp.body?.cancel().catch(() => {});
      accessed.add(container);
      if (resp.status >= 200 && resp.status <= 299) {
        report.data.set(
          "Number Files Created",
          (report.data.get("Number Files Created") as number) + 1,
        );
        continue;
      }
      if (containerFailure) failed.push(containerFailure);
      if (resp.status === 401) {
        failed.push([cut(objPath), statusLine(401)]);
        throw new SwobError(401, { body: "" });
      }
      if (resp.status >= 500 && resp.status <= 599) failedStatus = 502;
      failed.push([cut(objPath), statusLine(resp.status, resp.statusText)]);
    }
    if (failed.length) {
      report.data.set("Response Status", statusLine(failedStatus));
    } else if (!report.data.get("Number Files Created")) {
      report.data.set("Response Status", statusLine(400));
      report.data.set("Response Body", "Invalid Tar File: No Valid Files");
    }
  } catch (err) {
    if (err instanceof SwobError) {
      report.data.set("Response Status", statusLine(err.status));
      report.data.set("Response Body", swobErrorBody(err));
    } else if (err instanceof TarError || err instanceof InflateError) {
      report.data.set("Response Status", statusLine(400));
      report.data.set("Response Body", `Invalid Tar File: ${err.message}`);
    } else {
      job.ctx.logger.exception("Error in extract archive.", err);
      report.data.set("Response Status", statusLine(500));
    }
  } finally {
    await file.cancel();
  }
  yield finalChunk(separator, format, report, "extract");
}
