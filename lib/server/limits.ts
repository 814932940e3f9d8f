/**
 * The request limits of Swift's WSGI server: eventlet.wsgi with SwiftHttpProtocol, with
 * wsgi.MAX_HEADER_LINE set from constraints.MAX_HEADER_SIZE by swift.common.wsgi and
 * http.client._MAXHEADERS raised to MAX_HEADER_COUNT * 1.6 by swift.common.bufferedhttp.
 * Measured against eventlet 0.33 with Swift 2.30's settings:
 *
 * - a request line (CRLF included) of 8192 bytes or more: `HTTP/1.0 414 Request URI Too Long`,
 *   `Connection: close`, empty body;
 * - a header line (CRLF included) of 8192 bytes or more: `HTTP/1.0 400 Header Line Too Long`,
 *   `Connection: close`, empty body;
 * - more header lines than MAX_HEADER_COUNT * 1.6 less one (http.client counts the blank line
 *   ending them; 200 with swift.conf's defaults): `431 Too many headers` with Python's HTML
 *   error page, "got more than 201 headers".
 *
 * Deno.serve parses the request first and lets most of these through, so they are checked
 * before any app code runs. What Deno.serve decides itself, or hides, makes these differences:
 *
 * - Deno.serve refuses more than 128 header lines, and a head over about 64 KiB, with its own
 *   `400 Bad Request`, so with swift.conf's defaults 129-200 headers are refused where Swift
 *   serves them, and the 431 is only given when swift.conf makes the limit lower than 128.
 *   (eventlet's `400 Headers Too Large`, for over 65536 bytes of headers, is never reached.)
 * - The status line is Deno's: `HTTP/1.1 414 URI Too Long`, `HTTP/1.1 400 Bad Request`,
 *   `HTTP/1.1 431 Request Header Fields Too Large` (Response.statusText is not sent).
 * - Deno.serve gives the target as a parsed URL and the headers with repeated names merged
 *   (`a, b`) and surrounding whitespace trimmed, so lengths assume `Name: value` lines and the
 *   target as the URL spells it; a repeated header counts once, and its merged line is
 *   measured whole.
 */

/** eventlet.wsgi.MAX_REQUEST_LINE: the request line, CRLF included, must be shorter. */
export const MAX_REQUEST_LINE = 8192;
/** swift.common.constraints.MAX_HEADER_SIZE, which Swift sets as eventlet's MAX_HEADER_LINE. */
export const MAX_HEADER_LINE = 8192;

/** "GET /x HTTP/1.1\r\n" is the method and target plus two spaces, 8 bytes and CRLF. */
const REQUEST_LINE_OVERHEAD = 12;
/** "Name: value\r\n" is the name and value plus ": " and CRLF. */
const HEADER_LINE_OVERHEAD = 4;

/**
 * http.client._MAXHEADERS as Swift's bufferedhttp sets it for `maxHeaderCount`, Swift's
 * MAX_HEADER_COUNT (max_meta_count + 36 + extra_header_count, from swift.conf): a float.
 */
export function maxHeadersOf(maxHeaderCount: number): number {
  return maxHeaderCount * 1.6;
}

function refuse(status: number): Response {
  // eventlet writes these with Content-Length: 0 and closes the connection.
  return new Response(new Uint8Array(0), { status, headers: { "Connection": "close" } });
}

/**
 * Python's BaseHTTPRequestHandler.send_error() page for `431 Too many headers`. (Its
 * `Server: BaseHTTP/0.6 Python/3.11` header is Python's name, not Swift's, and is left out.)
 */
function tooManyHeaders(maxHeaders: number): Response {
  const explain = `got more than ${Math.trunc(maxHeaders)} headers`;
  const body = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: 431</p>
        <p>Message: Too many headers.</p>
        <p>Error code explanation: 431 - ${explain}.</p>
    </body>
</html>
`;
  return new Response(body, {
    status: 431,
    headers: { "Content-Type": "text/html;charset=utf-8", "Connection": "close" },
  });
}

/** The request target as it was sent: the URL from its path on. */
function targetOf(url: string): string {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  return pathStart < 0 ? "/" : url.slice(pathStart);
}

/**
 * The error response for a request over Swift's limits, or undefined when it is within them.
 * `maxHeaderCount` is swift.conf's MAX_HEADER_COUNT. Header lines are checked before their
 * count, as eventlet meets a long line before the line over the count in any usual request.
 */
export function checkRequestLimits(req: Request, maxHeaderCount: number): Response | undefined {
  const requestLine = req.method.length + targetOf(req.url).length + REQUEST_LINE_OVERHEAD;
  if (requestLine >= MAX_REQUEST_LINE) return refuse(414);
  let lines = 0;
  for (const [name, value] of req.headers) {
    if (name.length + value.length + HEADER_LINE_OVERHEAD >= MAX_HEADER_LINE) return refuse(400);
    lines++;
  }
  const maxHeaders = maxHeadersOf(maxHeaderCount);
  // http.client appends the blank line ending the headers before comparing.
  if (lines + 1 > maxHeaders) return tooManyHeaders(maxHeaders);
  return undefined;
}
