/**
 * Line reading for the response head and chunked framing: finds the next LF in the socket
 * buffer (CRLF or a bare LF, as http.client accepts), refusing lines longer than the limit
 * before buffering more of them.
 *
 * @module
 */
import type { Socket } from "./_socket.ts";
import { BadResponse } from "./errors.ts";

/** Line ends found by readLine(): the line is `buf[socket.start, end)`, the LF at `newline`. */
export interface LineBounds {
  /** Index just past the line's content (before CR LF or LF). */
  end: number;
  /** Index of the LF; the next line starts after it. */
  newline: number;
}

/**
 * Waits until a whole line is buffered. Returns false at end of stream (the partial line, if
 * any, stays buffered for the caller to judge). `maxLength` counts the line terminator too.
 */
export async function readLine(
  socket: Socket,
  maxLength: number,
  what: string,
  into: LineBounds,
): Promise<boolean> {
  let scanned = 0;
  for (;;) {
    const buf = socket.buf;
    // indexOf() may find a stale LF past `end`; then there is none in [start + scanned, end).
    const newline = buf.indexOf(0x0a, socket.start + scanned);
    if (newline !== -1 && newline < socket.end) {
      if (newline + 1 - socket.start > maxLength) throw tooLong(socket, what, maxLength);
      into.newline = newline;
      into.end = newline > socket.start && buf[newline - 1] === 0x0d ? newline - 1 : newline;
      return true;
    }
    scanned = socket.end - socket.start;
    if (scanned >= maxLength) throw tooLong(socket, what, maxLength);
    if (!await socket.fill(`reading the response ${what}`, maxLength + 1)) return false;
  }
}

/** Decodes `buf[start, end)` as latin-1, the byte-per-char form HTTP header values take. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 4096) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  let text = "";
  for (let i = start; i < end; i += 4096) {
    const stop = Math.min(end, i + 4096);
    text += String.fromCharCode.apply(null, buf.subarray(i, stop) as unknown as number[]);
  }
  return text;
}

/** Short quoted excerpt of `buf[start, end)` for error messages. */
export function excerpt(buf: Uint8Array, start: number, end: number): string {
  const text = latin1(buf, start, Math.min(end, start + 80));
  return JSON.stringify(end - start > 80 ? `${text}...` : text);
}

function tooLong(socket: Socket, what: string, maxLength: number): BadResponse {
  return new BadResponse(
    socket.endpoint,
    `${what} longer than ${maxLength} bytes, starting ${
      excerpt(socket.buf, socket.start, socket.end)
    }`,
  );
}
