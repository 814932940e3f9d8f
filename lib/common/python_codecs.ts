/**
 * Python 3's UTF-8 and latin-1 codecs with their error handlers, exactly.
 *
 * TextEncoder/TextDecoder cannot do this: Python strings may hold lone surrogates (Swift
 * decodes on-disk metadata with 'surrogateescape', pickle stores str with 'surrogatepass'),
 * and a JS string is UTF-16, so a lone surrogate there is the same code point as in Python.
 * Decoding never produces a surrogate *pair* from separate code points, so the mapping
 * Python str <-> JS string is exact for everything these codecs yield.
 *
 * @module
 */

/** How encodeUtf8()/decodeUtf8() treat lone surrogates and invalid bytes (Python's `errors`). */
export type Utf8Errors = "strict" | "surrogatepass" | "surrogateescape";

/** Thrown when text cannot be encoded or decoded under the chosen error handler. */
export class PythonCodecError extends Error {
  /** Builds the error; `message` already names the codec, the offset and the value. */
  constructor(message: string) {
    super(message);
    this.name = "PythonCodecError";
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Encodes like Python's `str.encode("utf-8", errors)`. */
export function encodeUtf8(text: string, errors: Utf8Errors = "strict"): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) {
      out[n++] = cp;
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else if (cp >= 0xd800 && cp <= 0xdfff && errors !== "surrogatepass") {
      // A lone surrogate: only 'surrogateescape' maps U+DC80..U+DCFF back to one raw byte.
      if (errors === "surrogateescape" && cp >= 0xdc80 && cp <= 0xdcff) {
        out[n++] = cp - 0xdc00;
      } else {
        throw new PythonCodecError(
          `Cannot encode to UTF-8 (errors="${errors}"): lone surrogate U+${
            hex(cp, 4).toUpperCase()
          } at index ${i}`,
        );
      }
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.slice(0, n);
}

/** Length of the valid UTF-8 sequence at `i` (0 if invalid); surrogates only when allowed. */
function validSequenceLength(bytes: Uint8Array, i: number, surrogates: boolean): number {
  const b0 = bytes[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) =>
    i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // Second-byte ranges exclude overlong forms (E0) and, unless passing them, surrogates (ED).
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed && !surrogates ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Decodes like Python's `bytes.decode("utf-8", errors)`. */
export function decodeUtf8(bytes: Uint8Array, errors: Utf8Errors = "strict"): string {
  const units: number[] = [];
  let text = "";
  for (let i = 0; i < bytes.length;) {
    const len = validSequenceLength(bytes, i, errors === "surrogatepass");
    if (len === 0) {
      if (errors !== "surrogateescape") {
        throw new PythonCodecError(
          `Cannot decode UTF-8 (errors="${errors}"): invalid byte 0x${
            hex(bytes[i], 2)
          } at offset ${i}`,
        );
      }
      // Each byte outside a valid sequence becomes U+DC80..U+DCFF, as PEP 383 specifies.
      units.push(0xdc00 + bytes[i]);
      i++;
    } else {
      let cp = bytes[i] & (len === 1 ? 0x7f : 0xff >> (len + 1));
      for (let k = 1; k < len; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
      if (cp >= 0x10000) {
        units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      } else {
        units.push(cp);
      }
      i += len;
    }
    if (units.length >= 8192) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode(...units);
}

/** Decodes like Python's `bytes.decode("latin-1")`: one char per byte, never fails. */
export function decodeLatin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** Encodes like Python's `str.encode("latin-1")`: throws on any char above U+00FF. */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      throw new PythonCodecError(
        `Cannot encode to latin-1: U+${hex(c, 4).toUpperCase()} at index ${i} is above U+00FF`,
      );
    }
    out[i] = c;
  }
  return out;
}
