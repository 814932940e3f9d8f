/**
 * Byte counting for proxy_logging: the request body as the app reads it (Swift's InputProxy)
 * and the response body as the server sends it (iter_response), which decides when the line
 * is written and with what status.
 *
 * @module
 */

/** Pull only when the reader asks: bytes are counted as read or sent, not as buffered ahead. */
const NOT_AHEAD = { highWaterMark: 0 };

/** Counts what the app reads of the request body; a failed read is a client disconnect. */
export class InputCounter {
  bytesReceived = 0;
  clientDisconnect = false;

  /** `req` with its body counted as it is read (`req` itself when it has no body). */
  wrap(req: Request): Request {
    if (!req.body) return req;
    const reader = req.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          this.clientDisconnect = true;
          controller.error(err);
          return;
        }
        if (result.done) return controller.close();
        this.bytesReceived += result.value.length;
        controller.enqueue(result.value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, NOT_AHEAD);
    return new Request(req, { body, duplex: "half" } as RequestInit);
  }
}

/** How a response body ended. */
export type BodyEnd = "complete" | "client-disconnect" | "error";

/** What meter() reports once the response body has ended. */
export type OnBodyEnd = (end: BodyEnd, bytesSent: number) => void;

/**
 * The response with its body counted and `onEnd` called once when it ends: sent in full,
 * cancelled by the server (the client went away), or failed.
 *
 * As Swift's reiterate(), the first non-empty chunk is read before the response is handed
 * on (a failure there propagates and no line is written, as in Swift); `onStart` runs then,
 * which is when Swift measures the time to first byte. As enforce_byte_count(), a body
 * longer than `contentLength` is cut there and then fails, and a shorter one fails at its
 * end; both count as errors.
 */
export async function meter(
  response: Response,
  contentLength: number | undefined,
  hooks: { onStart: () => void; onEnd: OnBodyEnd },
): Promise<Response> {
  if (!response.body && !contentLength) {
    hooks.onStart();
    hooks.onEnd("complete", 0);
    return response;
  }
  // A missing body that promised bytes fails as a short one does.
  const source = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const reader = source.getReader();
  let first: Uint8Array | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length) {
      first = value;
      break;
    }
  }
  hooks.onStart();
  let left = contentLength;
  let sent = 0;
  let pending: Error | undefined;
  let ended = false;
  const end = (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    hooks.onEnd(how, sent);
  };
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (pending) {
        end("error");
        return controller.error(pending);
      }
      let chunk = first;
      first = undefined;
      if (!chunk) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          end("error");
          return controller.error(err);
        }
        if (result.done) {
          if (left) {
            end("error");
            return controller.error(new Error(`Expected another ${left} bytes`));
          }
          end("complete");
          return controller.close();
        }
        chunk = result.value;
      }
      if (left !== undefined && chunk.length > left) {
        pending = new Error(
          `Too many bytes; truncating after ${contentLength} bytes with at least ` +
            `${chunk.length - left} surplus bytes remaining`,
        );
        chunk = chunk.subarray(0, left);
        reader.cancel().catch(() => {});
      }
      if (left !== undefined) left -= chunk.length;
      sent += chunk.length;
      controller.enqueue(chunk);
    },
    cancel: async (reason) => {
      end("client-disconnect");
      await reader.cancel(reason).catch(() => {});
    },
  }, NOT_AHEAD);
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
