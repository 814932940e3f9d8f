/**
 * POST or DELETE ?bulk-delete (Bulk.handle_delete_iter() with get_objs_to_delete()): the
 * body lists URL-quoted `/container/object` or `/container` names, one a line; objects are
 * deleted first, then containers, delete_concurrency at a time, a container answered 409
 * tried again delete_container_retry_count times. The report ("Number Deleted", "Number Not
 * Found", "Errors", "Response Status", "Response Body") comes last, after whitespace sent
 * every yield_frequency seconds while work goes on.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import { rawTarget, requestFor } from "../../server/request_path.ts";
import type { Handler } from "../compose.ts";
import { SYSTEM_CLOCK } from "../segments/rate_limit.ts";
import { splitPathOrUndefined, wsgiUnquote } from "../segments/swob.ts";
import { StreamingPile } from "./pile.ts";
import { type BulkReport, finalChunk, requireLength, swobErrorBody } from "./report.ts";
import type { BulkSettings } from "./settings.ts";
import { type BulkSubrequest, bulkSubrequest } from "./subrequest.ts";
import { BodyReader } from "./tar_stream.ts";
import { checkUtf8, pathInfo, queryString, statusLine } from "./wsgi.ts";

/** What one bulk delete works from. */
export interface DeleteJob {
  readonly req: Request;
  readonly ctx: RequestContext;
  readonly next: Handler;
  readonly settings: BulkSettings;
  /** The negotiated report format; undefined when Accept allows none (406). */
  readonly format: string | undefined;
}

/** One finished delete: what it answered, for which name, after how many retries. */
interface Deleted {
  readonly status: number;
  readonly statusText: string;
  readonly name: string;
  readonly retry: number;
  readonly sub: BulkSubrequest;
}

const encoder = new TextEncoder();

/** bytes.strip(): ASCII whitespace off both ends. */
function stripBytes(text: string): string {
  return text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, "");
}

/** get_objs_to_delete(): the names (WSGI strings) of the body, read a path length at a time. */
async function namesToDelete(req: Request, settings: BulkSettings): Promise<string[]> {
  requireLength(req);
  const file = new BodyReader(req.body);
  const names: string[] = [];
  let line = "";
  try {
    for (let remaining = true; remaining;) {
      const newline = line.indexOf("\n");
      if (newline >= 0) {
        names.push(wsgiUnquote(stripBytes(line.slice(0, newline))));
        line = line.slice(newline + 1);
      } else {
        const data = await file.read(settings.maxPathLength);
        if (data.length) {
          line += String.fromCharCode(...data);
        } else {
          remaining = false;
          const name = wsgiUnquote(stripBytes(line));
          if (name) names.push(name);
        }
      }
      if (names.length > settings.maxDeletesPerRequest) {
        throw new SwobError(413, {
          body: `Maximum Bulk Deletes: ${settings.maxDeletesPerRequest} per request`,
        });
      }
      if (line.length > settings.maxPathLength * 2) {
        throw new SwobError(400, { body: "Invalid File Name" });
      }
    }
  } finally {
    await file.cancel();
  }
  return names;
}

/** delete_filter(): the names of one kind with their paths; a path not UTF-8 fails here. */
function* deletable(
  names: readonly string[],
  [vrs, account]: [string, string],
  isObject: boolean,
  failed: [string, string][],
): Generator<[string, string]> {
  for (const name of names) {
    if (!name) continue;
    if (name.replace(/^\/+|\/+$/g, "").includes("/") !== isObject) continue;
    const path = ["", vrs, account, name.replace(/^\/+/, "")].join("/");
    if (!checkUtf8(path)) {
      failed.push([wsgiQuote(name), statusLine(412)]);
      continue;
    }
    yield [name, path];
  }
}

/** handle_delete_iter(): heartbeat bytes, then the report. */
export async function* deleteIter(job: DeleteJob): AsyncGenerator<Uint8Array> {
  const { req, settings, format } = job;
  const clock = settings.clock ?? SYSTEM_CLOCK;
  let lastYield = clock.now();
  let toYield = format?.endsWith("/xml") ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
  let separator = "";
  const report: BulkReport = {
    data: new Map<string, unknown>([
      ["Response Status", statusLine(200)],
      ["Response Body", ""],
      ["Number Deleted", 0],
      ["Number Not Found", 0],
    ]),
    errors: [],
  };
  const failed = report.errors;
  const count = (key: string) => report.data.set(key, (report.data.get(key) as number) + 1);
  let failedStatus = 400;
  const clientQuery = queryString(req);

  const doDelete = async (item: [string, string]): Promise<Deleted> => {
    const [name, path] = item;
    const sub = bulkSubrequest(req, job.ctx, clientQuery, {
      method: "DELETE",
      path: wsgiQuote(path),
      query: "",
      headers: { "X-Auth-Token": req.headers.get("X-Auth-Token") ?? undefined },
      agent: "%(orig)s BulkDelete",
      swiftSource: "BD",
    });
    return await send(sub, name, 0);
  };
  const send = async (sub: BulkSubrequest, name: string, retry: number): Promise<Deleted> => {
    const resp = await job.next(sub.req, sub.ctx);
    await resp.body?.cancel().catch(() => {});
    return { status: resp.status, statusText: resp.statusText, name, retry, sub };
  };

  /** _process_delete(); `pile` is undefined once deletes are only drained. */
  const processDelete = async (done: Deleted, pile: StreamingPile<Deleted> | undefined) => {
    const { status, name } = done;
    if (status >= 200 && status <= 299) {
      count("Number Deleted");
    } else if (status === 404) {
      count("Number Not Found");
    } else if (status === 401) {
      failed.push([wsgiQuote(name), statusLine(401)]);
    } else if (status === 409 && pile && settings.retryCount > done.retry) {
      const retry = done.retry + 1;
      pile.start(); // a sleeping greenthread lets the others run
      await clock.sleep(settings.retryInterval ** retry);
      // Request.blank(PATH_INFO, resp.environ): the same request, with the environ as the
      // pipeline left it.
      const again = requestFor(rawTarget(done.sub.req), done.sub.req, {
        method: "DELETE",
        headers: done.sub.req.headers,
      });
      const sub = { req: again, ctx: { ...done.sub.ctx, env: { ...done.sub.ctx.env } } };
      await pile.spawn(() => send(sub, name, retry));
    } else {
      if (status >= 500 && status <= 599) failedStatus = 502;
      failed.push([wsgiQuote(name), statusLine(status, done.statusText)]);
    }
  };

  try {
    if (!format) throw new SwobError(406, { body: "" });
    const parts = splitPathOrUndefined(pathInfo(req), 2, 3, true);
    if (!parts) throw new SwobError(404, { body: "" });
    const [vrs, account] = parts as string[];
    const incoming = req.headers.get("Content-Type");
    // Only newline separated names are understood.
    if (incoming && !incoming.startsWith("text/plain")) throw new SwobError(406, { body: "" });
    const names = await namesToDelete(req, settings);

    const pile = new StreamingPile<Deleted>(settings.deleteConcurrency);
    for (const isObject of [true, false]) {
      for await (
        const done of pile.asyncstarmap(
          deletable(names, [vrs, account], isObject, failed),
          doDelete,
        )
      ) {
        if (lastYield + settings.yieldFrequency < clock.now()) {
          lastYield = clock.now();
          yield encoder.encode(toYield);
          [toYield, separator] = [" ", "\r\n\r\n"];
        }
        await processDelete(done, pile);
        if (failed.length >= settings.maxFailedDeletes) {
          // Give up, after the deletes in flight (which are not retried).
          for await (const more of pile.drain()) {
            if (lastYield + settings.yieldFrequency < clock.now()) {
              lastYield = clock.now();
              yield encoder.encode(toYield);
              [toYield, separator] = [" ", "\r\n\r\n"];
            }
            await processDelete(more, undefined);
          }
          throw new SwobError(400, { body: "Max delete failures exceeded" });
        }
      }
    }
    if (failed.length) {
      report.data.set("Response Status", statusLine(failedStatus));
    } else if (!report.data.get("Number Deleted") && !report.data.get("Number Not Found")) {
      report.data.set("Response Status", statusLine(400));
      report.data.set("Response Body", "Invalid bulk delete.");
    }
  } catch (err) {
    if (err instanceof SwobError) {
      report.data.set("Response Status", statusLine(err.status));
      report.data.set("Response Body", swobErrorBody(err));
    } else {
      job.ctx.logger.exception("Error in bulk delete.", err);
      report.data.set("Response Status", statusLine(500));
    }
  }
  yield finalChunk(separator, format, report, "delete");
}
