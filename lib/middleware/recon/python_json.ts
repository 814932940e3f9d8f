/**
 * Python's json.loads() and json.dumps() (defaults) as recon uses them: it loads a daemon's
 * recon cache file and dumps the values back, so what it answers is Python's re-serialization.
 *
 * JSON.parse/stringify differ from that in ways swift-recon users would see: 1.0 stays "1.0"
 * in Python (a float) but becomes "1" in JS; integers beyond 2**53 keep every digit in Python;
 * Python keeps object keys in text order where JS moves integer-like keys ("0", "1") first;
 * Python reads and writes NaN and Infinity; and it escapes every non-ASCII character.
 *
 * @module
 */
import { pythonFloatRepr } from "../../common/python_float_repr.ts";

/** A Python float, so that 1.0 is written "1.0" (a plain number is a Python int). */
export class PyFloat {
  /** Wraps `value`. */
  constructor(readonly value: number) {}
}

/**
 * A value as Python's json module sees it: number and bigint are ints, PyFloat is a float, and
 * objects are Maps so that key order is kept.
 */
export type PyJson =
  | null
  | boolean
  | number
  | bigint
  | PyFloat
  | string
  | PyJson[]
  | Map<string, PyJson>;

/** json.dumps(value): ", " and ": " separators, ensure_ascii, NaN and Infinity allowed. */
export function pyJsonDumps(value: PyJson): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`Cannot write ${value} as a Python int; use PyFloat or bigint`);
    }
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return pyJsonString(value);
  if (value instanceof PyFloat) return floatText(value.value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  const items: string[] = [];
  for (const [key, item] of value) items.push(`${pyJsonString(key)}: ${pyJsonDumps(item)}`);
  return `{${items.join(", ")}}`;
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return pythonFloatRepr(x);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** py_encode_basestring_ascii(): everything outside " ".."~" as \uXXXX of its UTF-16 units. */
function pyJsonString(text: string): string {
  return `"${
    text.replace(
      /[\\"]|[^ -~]/g,
      (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
  }"`;
}

/** CPython 3.11's sys.get_int_max_str_digits() default: int() refuses longer digit strings. */
const INT_MAX_STR_DIGITS = 4300;

// The C scanner's grammar: ASCII digits only, no leading zeros, "1." and "1e" are not numbers.
const NUMBER = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
// A string token; JSON.parse then checks its escapes and control characters as strictly as
// Python's scanstring(strict=True) does.
const STRING = /"(?:[^"\\]|\\.)*"/sy;
// json.decoder.WHITESPACE: only these four, unlike JS's \s.
const SPACE = /[ \t\n\r]*/y;

/** json.loads(text); throws SyntaxError where Python raises ValueError. */
export function pyJsonLoads(text: string): PyJson {
  if (text.startsWith("\ufeff")) {
    throw new SyntaxError("Unexpected UTF-8 BOM (decode using utf-8-sig)");
  }
  const reader = new Reader(text);
  const value = reader.value();
  reader.end();
  return value;
}

class Reader {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  value(): PyJson {
    this.#space();
    const c = this.#text[this.#pos];
    if (c === "{") return this.#object();
    if (c === "[") return this.#array();
    if (c === '"') return this.#string();
    for (const [word, value] of LITERALS) {
      if (this.#text.startsWith(word, this.#pos)) {
        this.#pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(this.#text);
    if (!match) throw this.#error("Expecting value");
    this.#pos += match[0].length;
    if (match[2] !== undefined || match[3] !== undefined) return new PyFloat(Number(match[0]));
    const digits = match[1].replace("-", "");
    if (digits.length > INT_MAX_STR_DIGITS) {
      throw this.#error(`Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string`);
    }
    const int = BigInt(match[1]);
    return int >= BigInt(Number.MIN_SAFE_INTEGER) && int <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(int)
      : int;
  }

  end(): void {
    this.#space();
    if (this.#pos !== this.#text.length) throw this.#error("Extra data");
  }

  #object(): Map<string, PyJson> {
    const out = new Map<string, PyJson>();
    this.#pos++;
    this.#space();
    if (this.#eat("}")) return out;
    for (;;) {
      this.#space();
      if (this.#text[this.#pos] !== '"') throw this.#error("Expecting property name");
      const key = this.#string();
      this.#space();
      if (!this.#eat(":")) throw this.#error("Expecting ':' delimiter");
      // A repeated key keeps its first position and takes the last value, as in a dict.
      out.set(key, this.value());
      this.#space();
      if (this.#eat(",")) continue;
      if (this.#eat("}")) return out;
      throw this.#error("Expecting ',' delimiter");
    }
  }

  #array(): PyJson[] {
    const out: PyJson[] = [];
    this.#pos++;
    this.#space();
    if (this.#eat("]")) return out;
    for (;;) {
      out.push(this.value());
      this.#space();
      if (this.#eat(",")) continue;
      if (this.#eat("]")) return out;
      throw this.#error("Expecting ',' delimiter");
    }
  }

  #string(): string {
    STRING.lastIndex = this.#pos;
    const match = STRING.exec(this.#text);
    if (!match) throw this.#error("Unterminated string");
    try {
      const value = JSON.parse(match[0]) as string;
      this.#pos += match[0].length;
      return value;
    } catch {
      throw this.#error("Invalid string");
    }
  }

  #eat(c: string): boolean {
    if (this.#text[this.#pos] !== c) return false;
    this.#pos++;
    return true;
  }

  #space(): void {
    SPACE.lastIndex = this.#pos;
    this.#pos += SPACE.exec(this.#text)![0].length;
  }

  #error(reason: string): SyntaxError {
    return new SyntaxError(`${reason}: char ${this.#pos}`);
  }
}

const LITERALS: readonly (readonly [string, PyJson])[] = [
  ["true", true],
  ["false", false],
  ["null", null],
  ["NaN", new PyFloat(NaN)],
  ["Infinity", new PyFloat(Infinity)],
  ["-Infinity", new PyFloat(-Infinity)],
];
