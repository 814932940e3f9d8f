/**
 * The request limits of Swift's WSGI server (eventlet.wsgi with Swift's settings): a request
 * line over 8192 bytes gets 414, a header line over MAX_HEADER_SIZE (8192) gets 400, and more
 * than 100 headers (http.client's _MAXHEADERS) gets 400. Deno's HTTP parser lets such requests
 * through (it only refuses ~64 KiB of headers), so they are checked before any app code runs.
 */

/** eventlet.wsgi.MAX_REQUEST_LINE. */
export const MAX_REQUEST_LINE = 8192;
/** swift.common.constraints.MAX_HEADER_SIZE, which Swift sets as wsgi.MAX_HEADER_LINE. */
export const MAX_HEADER_LINE = 8192;
/** http.client._MAXHEADERS, which eventlet's header parsing inherits. */
export const MAX_HEADERS = 100;

function refuse(status: number, text: string): Response {
  // eventlet closes the connection after these errors; so do we.
  return new Response(text, {
    status,
    headers: { "Content-Type": "text/plain", "Connection": "close" },
  });
}

/** The error response for a request over Swift's limits, or undefined when it is within them. */
export function checkRequestLimits(req: Request): Response | undefined {
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const target = pathStart < 0 ? "/" : url.slice(pathStart);
  if (req.method.length + target.length + 10 > MAX_REQUEST_LINE) {
    return refuse(414, "Request URI Too Long");
  }
  let count = 0;
  for (const [name, value] of req.headers) {
    if (++count > MAX_HEADERS) return refuse(400, `Got more than ${MAX_HEADERS} headers`);
    if (name.length + 2 + value.length > MAX_HEADER_LINE) return refuse(400, "Line too long");
  }
  return undefined;
}
