/**
 * Swift's client_timeout for request bodies: eventlet gives every socket read client_timeout
 * seconds, and a client that stalls mid-upload gets 408 (swift/obj/server.py
 * ChunkReadTimeout). Deno's HTTP server has no read timeout, so each body read gets one here.
 *
 * One timer per body, not one per read: a 16 MiB upload arrives in about a thousand reads,
 * and a setTimeout plus a Promise.race for each cost more than the md5 of the data. The timer
 * fires at most once per timeout period, and then only re-arms itself unless a read has been
 * pending for the whole timeout.
 */
import { HttpError } from "./http_error.ts";

/** The request with a body whose every read must complete within `timeoutMs`. */
export function withBodyTimeout(req: Request, timeoutMs: number): Request {
  if (!req.body || timeoutMs <= 0) return req;
  const reader = req.body.getReader();
  /** When the pending read started (0: no read pending). */
  let readingSince = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled: ((err: HttpError) => void) | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const watch = (ms: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      if (readingSince === 0) return; // no read pending: pull() re-arms
      const left = readingSince + timeoutMs - Date.now();
      if (left > 0) return watch(left);
      stalled?.(new HttpError(408, "Request Timeout"));
    }, ms);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      readingSince = Date.now();
      if (timer === undefined) watch(timeoutMs);
      try {
        const { done, value } = await new Promise<ReadableStreamReadResult<Uint8Array>>(
          (resolve, reject) => {
            stalled = reject;
            reader.read().then(resolve, reject);
          },
        );
        readingSince = 0;
        if (done) {
          stop();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        readingSince = 0;
        stop();
        reader.cancel(err).catch(() => {});
        controller.error(err);
      } finally {
        stalled = undefined;
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  });
  // Built from parts: copying `req` itself would copy its AbortSignal, which makes Deno warn
  // about its legacy abort-on-success behaviour.
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body,
    duplex: "half",
  } as RequestInit);
}
