/**
 * Swift's client_timeout for request bodies: eventlet gives every socket read client_timeout
 * seconds, and a client that stalls mid-upload gets 408 (swift/obj/server.py
 * ChunkReadTimeout). Deno's HTTP server has no read timeout, so each body read gets one here.
 */
import { HttpError } from "./http_error.ts";

/** The request with a body whose every read must complete within `timeoutMs`. */
export function withBodyTimeout(req: Request, timeoutMs: number): Request {
  if (!req.body || timeoutMs <= 0) return req;
  const reader = req.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new HttpError(408, "Request Timeout"));
        }, timeoutMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        reader.cancel(err).catch(() => {});
        controller.error(err);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
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
