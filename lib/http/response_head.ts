/**
 * Reads one response head (status line and header fields) off a socket with a small state
 * machine over the read buffer: no regexes, no intermediate line strings except the names and
 * values it returns. Follows http.client where it is lenient on purpose (bare LF line ends,
 * any HTTP/1.x minor version, a missing reason phrase) and RFC 9112 where http.client's
 * leniency would let a bad response through (a line without a colon, space before the colon).
 *
 * @module
 */
import { excerpt, latin1, type LineBounds, readLine } from "./_line_reader.ts";
import type { Socket } from "./_socket.ts";
import { BadResponse, IncompleteRead, RemoteDisconnected } from "./errors.ts";
import { ResponseHeaders } from "./response_headers.ts";

/** Limits on what a server may send in a response head. */
export interface HeadLimits {
  /** Longest status or header line, terminator included (http.client's _MAXLINE). */
  readonly maxLineLength: number;
  /** Most header fields in one response. */
  readonly maxHeaders: number;
}

/**
 * http.client's line limit, and the header count Swift sets for it in bufferedhttp.py
 * (MAX_HEADER_COUNT * 1.6 = 201.6, so 201 fields pass and 202 do not).
 */
export const DEFAULT_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxLineLength: 65536,
  maxHeaders: 201,
});

/** A parsed status line and headers. */
export interface ResponseHead {
  /** 10 for HTTP/1.0, 11 for any other HTTP/1.x, as http.client records it. */
  readonly version: 10 | 11;
  readonly status: number;
  readonly reason: string;
  readonly headers: ResponseHeaders;
}

/**
 * Reads the next response head from `socket`. The caller arms the read timeout. Throws
 * RemoteDisconnected if the stream ends before the first byte, IncompleteRead if it ends
 * inside the head, BadResponse for a malformed head or one over `limits`.
 */
export async function readResponseHead(socket: Socket, limits: HeadLimits): Promise<ResponseHead> {
  const line: LineBounds = { end: 0, newline: 0 };
  if (!await readLine(socket, limits.maxLineLength, "status line", line)) {
    if (socket.buffered === 0) throw new RemoteDisconnected(socket.endpoint);
    throw new IncompleteRead(socket.endpoint, "status line");
  }
  const { version, status, reason } = parseStatusLine(socket, line.end);
  socket.start = line.newline + 1;
  const headers = new ResponseHeaders();
  for (;;) {
    if (!await readLine(socket, limits.maxLineLength, "header line", line)) {
      throw new IncompleteRead(socket.endpoint, `headers after ${headers.size} fields`);
    }
    const buf = socket.buf;
    const start = socket.start;
    if (line.end === start) {
      socket.start = line.newline + 1;
      return { version, status, reason, headers };
    }
    if (buf[start] === 0x20 || buf[start] === 0x09) {
      // obs-fold (RFC 9112 5.2): the line continues the previous value; replace with one SP.
      const [from, to] = trimOws(buf, start, line.end);
      if (!headers.continueLast(latin1(buf, from, to))) {
        throw new BadResponse(
          socket.endpoint,
          `header block starts with a continuation line ${excerpt(buf, start, line.end)}`,
        );
      }
    } else {
      parseField(socket, headers, start, line.end);
      if (headers.size > limits.maxHeaders) {
        throw new BadResponse(socket.endpoint, `more than ${limits.maxHeaders} header fields`);
      }
    }
    socket.start = line.newline + 1;
  }
}

function parseStatusLine(
  socket: Socket,
  end: number,
): { version: 10 | 11; status: number; reason: string } {
  const buf = socket.buf;
  const start = socket.start;
  const bad = () =>
    new BadResponse(socket.endpoint, `status line ${excerpt(buf, start, end)} is not HTTP/1.x`);
  // "HTTP/1." then one minor digit.
  if (
    end - start < 12 || buf[start] !== 0x48 || buf[start + 1] !== 0x54 ||
    buf[start + 2] !== 0x54 || buf[start + 3] !== 0x50 || buf[start + 4] !== 0x2f ||
    buf[start + 5] !== 0x31 || buf[start + 6] !== 0x2e || !isDigit(buf[start + 7])
  ) {
    throw bad();
  }
  const version = buf[start + 7] === 0x30 ? 10 : 11;
  let i = start + 8;
  if (buf[i] !== 0x20) throw bad();
  while (i < end && buf[i] === 0x20) i++;
  if (
    end - i < 3 || !isDigit(buf[i]) || !isDigit(buf[i + 1]) || !isDigit(buf[i + 2]) ||
    (end - i > 3 && buf[i + 3] !== 0x20) || buf[i] === 0x30
  ) {
    throw new BadResponse(
      socket.endpoint,
      `status line ${excerpt(buf, start, end)} has no three-digit status code`,
    );
  }
  const status = (buf[i] - 0x30) * 100 + (buf[i + 1] - 0x30) * 10 + (buf[i + 2] - 0x30);
  const [from, to] = trimOws(buf, Math.min(i + 4, end), end);
  return { version, status, reason: from < to ? latin1(buf, from, to) : "" };
}

function parseField(socket: Socket, headers: ResponseHeaders, start: number, end: number): void {
  const buf = socket.buf;
  const colon = buf.indexOf(0x3a, start);
  if (colon === -1 || colon >= end) {
    throw new BadResponse(socket.endpoint, `header line ${excerpt(buf, start, end)} has no colon`);
  }
  for (let i = start; i < colon; i++) {
    const c = buf[i];
    // RFC 9112 5.1: whitespace before the colon must be rejected, not trimmed.
    if (c <= 0x20 || c === 0x7f) {
      throw new BadResponse(
        socket.endpoint,
        `header name in ${excerpt(buf, start, end)} has a space or control byte`,
      );
    }
  }
  if (colon === start) {
    throw new BadResponse(socket.endpoint, `header line ${excerpt(buf, start, end)} has no name`);
  }
  const [from, to] = trimOws(buf, colon + 1, end);
  headers.append(latin1(buf, start, colon), from < to ? latin1(buf, from, to) : "");
}

function trimOws(buf: Uint8Array, from: number, to: number): [number, number] {
  while (from < to && (buf[from] === 0x20 || buf[from] === 0x09)) from++;
  while (to > from && (buf[to - 1] === 0x20 || buf[to - 1] === 0x09)) to--;
  return [from, to];
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
