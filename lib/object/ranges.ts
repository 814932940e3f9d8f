/**
 * The Range header as swob's Range class reads it, including the RFC 7233 section 6.1 limits
 * Swift applies (more than 50 ranges, more than 2 overlapping, or 8+ out of order -> 416), and
 * the multipart/byteranges body swob writes for several ranges, byte for byte.
 */

/** One byte-range-spec: [first, last] with either side possibly absent (suffix ranges). */
export type RangeSpec = readonly [start: number | undefined, end: number | undefined];

/** A half-open byte range [start, stop) of the content. */
export type ByteRange = readonly [start: number, stop: number];

const MAX_RANGES = 50;
const MAX_RANGE_OVERLAPS = 2;
const MAX_NONASCENDING_RANGES = 8;
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/** swob.Range(header).ranges, or undefined where swob raises (the header is then ignored). */
export function parseRange(header: string | undefined): RangeSpec[] | undefined {
  if (!header) return undefined;
  const value = header.replaceAll(" ", "");
  if (!value.toLowerCase().startsWith("bytes=")) return undefined;
  const ranges: RangeSpec[] = [];
  for (const spec of value.slice(6).split(",")) {
    const dash = spec.indexOf("-");
    if (dash < 0) return undefined;
    const startText = spec.slice(0, dash);
    const endText = spec.slice(dash + 1);
    let start: number | undefined;
    if (startText) {
      if (!PY_INT.test(startText)) return undefined;
      start = Number(startText.trim().replaceAll("_", ""));
    }
    let end: number | undefined;
    if (endText) {
      if (!/^\d+$/.test(endText)) return undefined;
      end = Number(endText);
      if (start !== undefined && end < start) return undefined;
    } else if (start === undefined) {
      return undefined;
    }
    ranges.push([start, end]);
  }
  return ranges;
}

/**
 * Range.ranges_for_length(): the satisfiable ranges of content of `length` bytes; an empty
 * list means 416 (nothing satisfiable, or a request too egregious to serve).
 */
export function rangesForLength(ranges: readonly RangeSpec[], length: number): ByteRange[] {
  const all: ByteRange[] = [];
  for (const [begin, end] of ranges) {
    if (begin === undefined) {
      if (end === 0) continue; // bytes=-0 asks for nothing
      all.push(end! > length ? [0, length] : [length - end!, length]);
      continue;
    }
    if (end === undefined) {
      if (begin < length) all.push([begin, length]);
    } else if (begin < length) {
      all.push([begin, Math.min(end + 1, length)]);
    }
  }
  if (all.length > MAX_RANGES) return [];
  let overlaps = 0;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [s1, e1] = all[i];
      const [s2, e2] = all[j];
      if (
        (s1 < s2 && s2 < e1) || (s1 < e2 && e2 < e1) || (s2 < s1 && s1 < e2) || (s2 < e1 && e1 < e2)
      ) {
        if (++overlaps > MAX_RANGE_OVERLAPS) return [];
      }
    }
  }
  // Python compares the (start, stop) tuples, so equal starts are ordered by their stops.
  const descending = all.some((r, i) =>
    i > 0 && (all[i - 1][0] > r[0] || (all[i - 1][0] === r[0] && all[i - 1][1] > r[1]))
  );
  if (descending && all.length >= MAX_NONASCENDING_RANGES) return [];
  return all;
}

/** "bytes START-END/SIZE" (content_range_header_value()). */
export function contentRange([start, stop]: ByteRange, size: number): string {
  return `bytes ${start}-${stop - 1}/${size}`;
}

/** A random multipart boundary: "%.32x" of a random 128-bit number, as swob makes it. */
export function newBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();

/** The part header before the bytes of one range (multi_range_iterator()). */
export function partHeader(
  boundary: string,
  contentTypeUtf8: Uint8Array,
  range: ByteRange,
  size: number,
): Uint8Array {
  const head = encoder.encode(`--${boundary}\r\nContent-Type: `);
  const tail = encoder.encode(`\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`);
  const out = new Uint8Array(head.length + contentTypeUtf8.length + tail.length);
  out.set(head);
  out.set(contentTypeUtf8, head.length);
  out.set(tail, head.length + contentTypeUtf8.length);
  return out;
}

/** The closing delimiter of a multipart/byteranges body. */
export function closingDelimiter(boundary: string): Uint8Array {
  return encoder.encode(`--${boundary}--`);
}

/** The Content-Length of the multipart body (Response._prepare_for_ranges()). */
export function multipartLength(
  ranges: readonly ByteRange[],
  boundary: string,
  contentTypeUtf8: Uint8Array,
  size: number,
): number {
  let total = 0;
  for (const range of ranges) {
    total += partHeader(boundary, contentTypeUtf8, range, size).length + (range[1] - range[0]) + 2;
  }
  return total + boundary.length + 4;
}
