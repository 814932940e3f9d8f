/**
 * eventlet.wsgi answers `Connection: keep-alive` when the request's Connection header is exactly
 * `keep-alive` (any case) and the connection stays open, over HTTP/1.1 and HTTP/1.0 alike;
 * Deno.serve keeps such connections open without saying so over HTTP/1.1, and says so itself
 * over HTTP/1.0 only. Clients such as Swift's functional tests look for the header.
 *
 * Deno.serve does not tell a handler the request's HTTP version, so the header is added only to
 * responses of known length (no body, or a Content-Length): over HTTP/1.0 Deno closes the
 * connection after a body of unknown length, without a Connection header (eventlet says
 * `close`), and it must not be announced as kept alive. Over HTTP/1.0 a response of known length
 * carries the header twice, ours and Deno's, both saying `keep-alive`. A response that already
 * has a Connection header (`close` while draining) is left as it is.
 */

/** `response` with `Connection: keep-alive` when eventlet would answer `req` with it. */
export function withKeepAliveEcho(req: Request, response: Response): Response {
  if (req.headers.get("connection")?.toLowerCase() !== "keep-alive") return response;
  if (response.headers.has("connection")) return response;
  if (response.body !== null && !response.headers.has("content-length")) return response;
  try {
    response.headers.set("Connection", "keep-alive");
    return response;
  } catch {
    // Headers of a Response.redirect() or a fetch() response are immutable.
    const copy = new Response(response.body, response);
    copy.headers.set("Connection", "keep-alive");
    return copy;
  }
}
