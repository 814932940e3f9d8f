/**
 * Chunked transfer coding for request bodies (RFC 9112 7.1): `<hex size>\r\n<data>\r\n`, and
 * `0\r\n\r\n` to end. Swift's Putter frames each chunk the same way (`b"%x\r\n%s\r\n"`).
 *
 * @module
 */

/** The CRLF after a chunk's data. */
export const CRLF = new Uint8Array([0x0d, 0x0a]);

/** The last chunk with no trailers, which ends a chunked body. */
export const LAST_CHUNK = new Uint8Array([0x30, 0x0d, 0x0a, 0x0d, 0x0a]);

/** Frames `chunk` into `scratch`; returns the framed length, or -1 if it does not fit. */
export function frameChunk(chunk: Uint8Array, scratch: Uint8Array): number {
  const size = chunk.length;
  let digits = 1;
  while (size >= 16 ** digits) digits++;
  const total = digits + 2 + size + 2;
  if (total > scratch.length) return -1;
  for (let i = digits - 1, rest = size; i >= 0; i--, rest = Math.floor(rest / 16)) {
    const digit = rest % 16;
    scratch[i] = digit < 10 ? 0x30 + digit : 0x57 + digit;
  }
  scratch[digits] = 0x0d;
  scratch[digits + 1] = 0x0a;
  scratch.set(chunk, digits + 2);
  scratch[total - 2] = 0x0d;
  scratch[total - 1] = 0x0a;
  return total;
}

/** The `<hex size>\r\n` line that opens a chunk of `size` bytes. */
export function chunkHeader(size: number): Uint8Array {
  return new TextEncoder().encode(`${size.toString(16)}\r\n`);
}
