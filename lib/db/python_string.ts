/**
 * Python 3 str semantics that JS strings lack: ordering by code point (which
 * is also SQLite's BINARY order of the UTF-8 bytes) and chr(ord(c) + 1) on
 * the last code point. Listings compare names in SQL and in code, and both
 * must agree with Swift or markers skip or repeat names.
 */

/** Compares two strings by code point, like Python's `<` on str. */
export function comparePython(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) sorts above every BMP unit from
    // U+E000 up, although its UTF-16 unit is lower.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) {
      if (xs && y >= 0xe000) return 1;
      if (ys && x >= 0xe000) return -1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** `s[:-1] + chr(ord(s[-1]) + 1)`: the smallest string above every string starting with `s`. */
export function incrementLastCodePoint(s: string): string {
  const chars = Array.from(s);
  const last = chars.pop();
  if (last === undefined) {
    throw new RangeError("Cannot increment the last character of an empty string");
  }
  return chars.join("") + String.fromCodePoint((last.codePointAt(0) as number) + 1);
}
