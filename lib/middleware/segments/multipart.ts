/**
 * The body bytes of a multipart/byteranges response, parts one after the other without their
 * MIME framing (maybe_multipart_byteranges_to_document_iters() chained, as SegmentedIterable
 * reads a coalesced multi-range segment GET). Streams: at most one chunk plus a delimiter's
 * length is held at a time.
 */

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
const BLANK_LINE = encoder.encode("\r\n\r\n");

/** Where `needle` starts in `haystack` at or after `from`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The boundary parameter of a multipart/byteranges Content-Type, else undefined. */
export function byterangesBoundary(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(";");
  if (type.trim() !== "multipart/byteranges") return undefined;
  for (const param of params) {
    const at = param.indexOf("=");
    if (at >= 0 && param.slice(0, at).trim() === "boundary") {
      return param.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
    }
  }
  return undefined;
}

/** The concatenated part bodies of a multipart/byteranges stream. */
export async function* multipartBodies(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
): AsyncGenerator<Uint8Array> {
  const first = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let buffer: Uint8Array = new Uint8Array();
  let state: "preamble" | "after-delimiter" | "headers" | "body" | "done" = "preamble";
  for await (const chunk of source) {
    if (state === "done") continue;
    buffer = concat(buffer, chunk);
    while (true) {
      if (state === "preamble") {
        const at = indexOf(buffer, first);
        if (at < 0) break;
        buffer = buffer.subarray(at + first.length);
        state = "after-delimiter";
      } else if (state === "after-delimiter") {
        if (buffer.length < 2) break;
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = "done";
          break;
        }
        const eol = indexOf(buffer, CRLF);
        if (eol < 0) break;
        // The part's headers follow the line ending the delimiter; an empty header block
        // means the blank line comes at once.
        buffer = buffer.subarray(eol);
        state = "headers";
      } else if (state === "headers") {
        const end = indexOf(buffer, BLANK_LINE);
        if (end < 0) break;
        buffer = buffer.subarray(end + BLANK_LINE.length);
        state = "body";
      } else {
        const at = indexOf(buffer, delimiter);
        if (at >= 0) {
          if (at > 0) yield buffer.slice(0, at);
          buffer = buffer.subarray(at + delimiter.length);
          state = "after-delimiter";
          continue;
        }
        // Keep what could be the start of a delimiter split across chunks.
        const keep = Math.min(buffer.length, delimiter.length - 1);
        if (buffer.length > keep) yield buffer.slice(0, buffer.length - keep);
        buffer = buffer.slice(buffer.length - keep);
        break;
      }
    }
  }
  if (state === "body" && buffer.length) yield buffer;
}
