/**
 * The body of a GET, streamed from the backend as the client reads it (constant memory: the
 * next chunk is read only when the client took the last). An object GET whose node fails
 * mid-body (a read timeout, a short or broken body) resumes from another node with a Range
 * for the bytes still missing, as Swift's GetOrHeadHandler does, provided the other node has
 * the same ETag; multipart/byteranges bodies are not resumed.
 */
import { BackendError } from "../http/errors.ts";
import type { GetOrHeadHandler, Source } from "./get_or_head.ts";

/** The absolute byte span (inclusive) a backend's 200 or single-range 206 carries. */
interface Span {
  readonly start: number;
  readonly end: number;
}

function spanOf(source: Source): Span | undefined {
  const { response } = source;
  const type = response.headers.get("Content-Type") ?? "";
  if (type.toLowerCase().startsWith("multipart/byteranges")) return undefined;
  if (response.status === 206) {
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
      (response.headers.get("Content-Range") ?? "").trim(),
    );
    return match ? { start: Number(match[1]), end: Number(match[2]) } : undefined;
  }
  const length = response.contentLength;
  return length === null || length === 0 ? undefined : { start: 0, end: length - 1 };
}

/** Raised when a backend body ends before its Content-Length (Swift's ShortReadError). */
class ShortRead extends Error {
  constructor(got: number, expected: number) {
    super(`Too few bytes; read ${got}, expecting ${expected}`);
    this.name = "ShortReadError";
  }
}

/** The client-facing body of `first`, resuming elsewhere when its node fails. */
export function resumableBody(
  handler: GetOrHeadHandler,
  first: Source,
): ReadableStream<Uint8Array> {
  const { call } = handler;
  const logger = call.ctx.logger;
  const canResume = handler.request.serverType === "Object" && !handler.newest;
  const span = spanOf(first);
  let source = first;
  let reader = source.response.body.getReader();
  let fromSource = 0;
  let sent = 0;
  let finished = false;

  const resume = async (): Promise<"resumed" | "complete" | "failed"> => {
    if (!canResume || span === undefined) return "failed";
    const begin = span.start + sent;
    if (begin > span.end) return "complete";
    handler.request.headers.set("Range", `bytes=${begin}-${span.end}`);
    const next = await handler.sourceAndNode();
    if (next === undefined) return "failed";
    const nextSpan = spanOf(next);
    if (next.response.status !== 206 || nextSpan?.start !== begin) {
      next.response.cancel();
      return "failed";
    }
    call.app.errors.occurred(source.node, "Trying to read object during GET (retrying)", logger);
    reader.releaseLock();
    source.response.cancel();
    source = next;
    reader = source.response.body.getReader();
    fromSource = 0;
    return "resumed";
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            const expected = source.response.contentLength;
            if (expected !== null && fromSource < expected) {
              throw new ShortRead(fromSource, expected);
            }
            finished = true;
            controller.close();
            return;
          }
          fromSource += value.length;
          sent += value.length;
          controller.enqueue(value);
          return;
        } catch (err) {
          if (!(err instanceof BackendError || err instanceof ShortRead)) {
            logger.exception("Trying to send to client", err);
            controller.error(err);
            return;
          }
          const outcome = await resume().catch(() => "failed" as const);
          if (outcome === "resumed") continue;
          if (outcome === "complete") {
            finished = true;
            controller.close();
            return;
          }
          call.app.errors.exception(
            source.node,
            handler.request.serverType,
            `Trying to read during ${call.req.method}`,
            err,
            logger,
          );
          controller.error(err);
          return;
        }
      }
    },
    cancel() {
      if (!finished) logger.info(`Client disconnected on read of '${handler.request.path}'`);
      reader.cancel().catch(() => {});
      source.response.cancel();
    },
  }, { highWaterMark: 0 });
}
