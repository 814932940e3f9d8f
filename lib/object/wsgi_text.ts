/**
 * Python's text handling that shows through Swift's responses and logs. A WSGI string holds
 * one character per byte of the request (latin-1); Deno's header values are the same kind of
 * byte string, so header values pass through unchanged, but paths arrive percent-encoded and
 * Swift's messages quote them with urllib.parse.quote(), which UTF-8 encodes each character.
 */

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;
const encoder = new TextEncoder();

/** The WSGI string of raw bytes: one character (U+0000..U+00FF) per byte. */
export function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** The bytes of a WSGI string (each character must be below U+0100). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** The UTF-8 bytes of a string, as Python's str.encode("utf8"). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function quoteBytes(bytes: Uint8Array, safe: string): string {
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && (ALWAYS_SAFE.test(char) || safe.includes(char))) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** urllib.parse.quote(text, safe): percent-encodes the UTF-8 bytes of each character. */
export function pyQuote(text: string, safe = "/"): string {
  return quoteBytes(utf8(text), safe);
}

/** swob's wsgi_quote(): percent-encodes a WSGI string's own bytes (Request.path). */
export function wsgiQuote(wsgi: string, safe = "/"): string {
  return quoteBytes(latin1Bytes(wsgi), safe);
}

/** Python's str.title() on ASCII letters: each letter after a non-letter is upper-cased. */
export function pyTitle(text: string): string {
  let out = "";
  let previousCased = false;
  for (const char of text) {
    const isLetter = /[A-Za-z]/.test(char);
    out += isLetter ? (previousCased ? char.toLowerCase() : char.toUpperCase()) : char;
    previousCased = isLetter;
  }
  return out;
}

const PY_INT = /^[+-]?\d+(?:_\d+)*$/;

/** Python's int() of a string: whitespace around, a sign, `_` between digits; else undefined. */
export function pyInt(text: string): number | undefined {
  const trimmed = text.trim();
  if (!PY_INT.test(trimmed)) return undefined;
  return Number(trimmed.replaceAll("_", ""));
}

/** config_true_value(): true, 1, yes, on, t, y (any case). */
export function isTrue(value: string | null | undefined): boolean {
  return value !== null && value !== undefined &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** urllib.parse.unquote(): %XX escapes decoded as UTF-8 (invalid bytes -> U+FFFD), others kept. */
export function pyUnquote(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  const rest = encoder.encode(text);
  for (let i = 0; i < rest.length; i++) {
    const hex = String.fromCharCode(rest[i + 1] ?? 0, rest[i + 2] ?? 0);
    if (rest[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(rest[i]);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
