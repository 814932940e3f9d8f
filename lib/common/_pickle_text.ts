/**
 * The text encodings of pickle protocol 0: `raw-unicode-escape` (UNICODE opcode) and Python 2
 * string literals (STRING opcode, decoded by Python 3 with `codecs.escape_decode`).
 *
 * @module
 */

import { PythonCodecError } from "./python_codecs.ts";

const BACKSLASH = 0x5c;

/** Value of an ASCII hex digit byte, or -1. */
function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

function pushCodePoint(units: number[], cp: number): void {
  if (cp >= 0x10000) {
    units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
  } else {
    units.push(cp);
  }
}

function unitsToString(units: number[]): string {
  let text = "";
  for (let i = 0; i < units.length; i += 8192) {
    text += String.fromCharCode(...units.slice(i, i + 8192));
  }
  return text;
}

/** Decodes like Python 3.11's `bytes.decode("raw-unicode-escape")`. */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i++];
    if (c !== BACKSLASH || i >= bytes.length) {
      units.push(c);
      continue;
    }
    const next = bytes[i++];
    const count = next === 0x75 ? 4 : next === 0x55 ? 8 : 0; // \u or \U
    if (count === 0) {
      // CPython consumes the backslash and the next byte together, so "\\\\u0041" stays literal.
      units.push(c, next);
      continue;
    }
    let cp = 0;
    for (let k = 0; k < count; k++, i++) {
      const digit = i < bytes.length ? hexValue(bytes[i]) : -1;
      if (digit < 0) {
        throw new PythonCodecError(
          `Cannot decode raw-unicode-escape: truncated \\${
            String.fromCharCode(next)
          } escape at offset ${i}`,
        );
      }
      cp = cp * 16 + digit;
    }
    if (cp > 0x10ffff) {
      throw new PythonCodecError(
        `Cannot decode raw-unicode-escape: code point 0x${cp.toString(16)} is above U+10FFFF`,
      );
    }
    pushCodePoint(units, cp);
  }
  return unitsToString(units);
}

/**
 * Encodes a str for the protocol 0 UNICODE opcode as _pickle.c's raw_unicode_escape() does:
 * raw-unicode-escape plus escaping of the bytes that would end the line or confuse readers.
 */
export function encodePickleUnicodeLine(text: string): Uint8Array {
  const out: number[] = [];
  const escape = (cp: number, width: number) => {
    const digits = cp.toString(16).padStart(width, "0");
    out.push(BACKSLASH, width === 8 ? 0x55 : 0x75);
    for (const d of digits) out.push(d.charCodeAt(0));
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x10000) escape(cp, 8);
    else if (cp >= 0x100 || cp === BACKSLASH || cp === 0 || cp === 0x0a || cp === 0x0d) {
      escape(cp, 4);
    } else if (cp === 0x1a) escape(cp, 4); // DOS end-of-file marker, escaped by CPython too
    else out.push(cp);
  }
  return new Uint8Array(out);
}

const SIMPLE_ESCAPES: Readonly<Record<number, number>> = {
  0x5c: 0x5c, // \\
  0x27: 0x27, // \'
  0x22: 0x22, // \"
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
  0x74: 0x09, // \t
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x76: 0x0b, // \v
  0x61: 0x07, // \a
};

/** Decodes a Python 2 string literal body like Python 3's `codecs.escape_decode`. */
export function decodeEscapedBytes(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i++];
    if (c !== BACKSLASH) {
      out.push(c);
      continue;
    }
    if (i >= bytes.length) {
      throw new PythonCodecError(`Cannot decode string escape: trailing \\ at offset ${i - 1}`);
    }
    const e = bytes[i++];
    if (e === 0x0a) continue; // backslash-newline is a line continuation
    if (e in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[e]);
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x37; k++) {
        v = v * 8 + (bytes[i++] - 0x30);
      }
      out.push(v & 0xff);
    } else if (e === 0x78) {
      const hi = hexValue(bytes[i] ?? 0);
      const lo = hexValue(bytes[i + 1] ?? 0);
      if (i + 1 >= bytes.length || hi < 0 || lo < 0) {
        throw new PythonCodecError(`Cannot decode string escape: invalid \\x escape at ${i - 2}`);
      }
      out.push(hi * 16 + lo);
      i += 2;
    } else {
      out.push(BACKSLASH, e); // unknown escapes stay as written, as in Python
    }
  }
  return new Uint8Array(out);
}
