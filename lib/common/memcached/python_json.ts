/**
 * Python's `json.dumps(value)` and `json.loads(bytes)` with their default arguments, which is
 * what Swift's MemcacheRing stores under JSON_FLAG. Values must be byte-identical to Swift's so
 * that a Swift proxy and swiftd read each other's cache entries (tempauth tokens, info dicts).
 *
 * JSON.stringify cannot do this: Python escapes every non-ASCII char and DEL (`ensure_ascii`),
 * puts a space after `,` and `:`, spells floats with repr() (`1e+16`, `2.0`) and writes
 * NaN/Infinity; json.loads accepts those and keeps integers exact.
 *
 * | Python                | TypeScript                                                     |
 * | --------------------- | -------------------------------------------------------------- |
 * | `None`, `bool`, `str` | `null`, `boolean`, `string`                                    |
 * | `int`                 | `number` when a safe integer, else `bigint`                    |
 * | `float`               | `number` (`PyFloat` writes a safe-integral one as `2.0`)       |
 * | `list` / `tuple`      | `Array` (`PyTuple` accepted when writing)                      |
 * | `dict`                | plain object (`Map` accepted when writing)                     |
 *
 * A JS object puts integer-like keys first, so a dict read back may list them in another order.
 *
 * @module
 */
import { decodeUtf8 } from "../python_codecs.ts";
import { pythonFloatRepr } from "../python_float_repr.ts";
import { PyFloat, PyTuple } from "../pickle_value.ts";

/** A value json.loads() returns. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Thrown by pythonJsonLoads() on text Python's json.loads() rejects. */
export class JsonDecodeError extends Error {
  /** Builds the error; `message` says what was expected and where. */
  constructor(message: string) {
    super(message);
    this.name = "JsonDecodeError";
  }
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** json's py_encode_basestring_ascii(): `"` + escapes of everything outside ' '..'~' + `"`. */
function quote(text: string): string {
  // A JS string is UTF-16, so escaping each code unit yields Python's surrogate-pair escapes
  // for astral chars and the same \udXXX for lone surrogates.
  return `"${
    text.replace(
      // deno-lint-ignore no-control-regex -- control chars are exactly what must be escaped
      /[\\"\u0000-\u001f\u007f-\uffff]/g,
      (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
  }"`;
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return pythonFloatRepr(x);
}

function numberText(x: number): string {
  // A JS number cannot tell 2 from 2.0: safe integers are written as Python ints. Larger
  // integral numbers are floats, since pythonJsonLoads() returns a bigint for a large int.
  return Number.isSafeInteger(x) ? String(x) : floatText(x);
}

/** The str() json uses for a non-str dict key. */
function keyText(key: unknown): string {
  if (typeof key === "string") return key;
  if (typeof key === "number") return numberText(key);
  if (typeof key === "bigint") return key.toString();
  if (key instanceof PyFloat) return floatText(key.value);
  if (typeof key === "boolean") return key ? "true" : "false";
  if (key === null) return "null";
  throw new TypeError(`Keys must be str, int, float, bool or None, not ${typeName(key)}`);
}

function typeName(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? value?.constructor?.name ?? "object" : typeof value;
}

function dumpsInto(value: unknown, out: string[], seen: Set<object>): void {
  if (value === null) out.push("null");
  else if (value === true) out.push("true");
  else if (value === false) out.push("false");
  else if (typeof value === "number") out.push(numberText(value));
  else if (typeof value === "bigint") out.push(value.toString());
  else if (typeof value === "string") out.push(quote(value));
  else if (value instanceof PyFloat) out.push(floatText(value.value));
  else if (typeof value === "object" && !(value instanceof Uint8Array)) {
    if (seen.has(value)) throw new TypeError("Circular reference detected");
    seen.add(value);
    if (Array.isArray(value) || value instanceof PyTuple) {
      const items = Array.isArray(value) ? value : value.items;
      out.push("[");
      items.forEach((item, i) => {
        if (i > 0) out.push(", ");
        dumpsInto(item, out, seen);
      });
      out.push("]");
    } else {
      const entries = value instanceof Map ? [...value] : Object.entries(value);
      out.push("{");
      entries.forEach(([key, item], i) => {
        if (i > 0) out.push(", ");
        out.push(quote(keyText(key)), ": ");
        dumpsInto(item, out, seen);
      });
      out.push("}");
    }
    seen.delete(value);
  } else {
    throw new TypeError(`Object of type ${typeName(value)} is not JSON serializable`);
  }
}

/** `json.dumps(value)`: ASCII-only text, byte for byte what CPython writes. */
export function pythonJsonDumps(value: unknown): string {
  const out: string[] = [];
  dumpsInto(value, out, new Set());
  return out.join("");
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** CPython's C scanner (json.scanner.c_make_scanner) with strict=True. */
class Scanner {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  #fail(what: string, pos = this.#pos): never {
    throw new JsonDecodeError(`${what}: char ${pos}`);
  }

  #skipSpace(): void {
    WHITESPACE.lastIndex = this.#pos;
    WHITESPACE.exec(this.#text);
    this.#pos = WHITESPACE.lastIndex;
  }

  document(): JsonValue {
    this.#skipSpace();
    const value = this.#value();
    this.#skipSpace();
    if (this.#pos !== this.#text.length) this.#fail("Extra data");
    return value;
  }

  #value(): JsonValue {
    const text = this.#text;
    const c = text[this.#pos];
    if (c === '"') return this.#string();
    if (c === "{") return this.#object();
    if (c === "[") return this.#array();
    for (const [word, value] of CONSTANTS) {
      if (text.startsWith(word, this.#pos)) {
        this.#pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(text);
    if (!match) this.#fail("Expecting value");
    this.#pos = NUMBER.lastIndex;
    if (match[1] !== undefined || match[2] !== undefined) return Number(match[0]);
    const big = BigInt(match[0]);
    const small = Number(big);
    return Number.isSafeInteger(small) ? small : big;
  }

  #string(): string {
    const text = this.#text;
    const start = this.#pos;
    let pos = start + 1;
    let out = "";
    for (;;) {
      const c = text[pos];
      if (c === undefined) this.#fail("Unterminated string starting at", start);
      if (c === '"') break;
      if (c < " ") this.#fail("Invalid control character at", pos);
      if (c !== "\\") {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      if (e === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail("Invalid \\uXXXX escape", pos + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
        continue;
      }
      const short = e === undefined ? undefined : UNESCAPES[e];
      if (short === undefined) this.#fail("Invalid \\escape", pos);
      out += short;
      pos += 2;
    }
    this.#pos = pos + 1;
    return out;
  }

  #array(): JsonValue[] {
    const items: JsonValue[] = [];
    this.#pos++;
    this.#skipSpace();
    if (this.#text[this.#pos] === "]") {
      this.#pos++;
      return items;
    }
    for (;;) {
      this.#skipSpace();
      items.push(this.#value());
      this.#skipSpace();
      const c = this.#text[this.#pos++];
      if (c === "]") return items;
      if (c !== ",") this.#fail("Expecting ',' delimiter", this.#pos - 1);
    }
  }

  #object(): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    this.#pos++;
    this.#skipSpace();
    if (this.#text[this.#pos] === "}") {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#pos] !== '"') {
        this.#fail("Expecting property name enclosed in double quotes");
      }
      const key = this.#string();
      this.#skipSpace();
      if (this.#text[this.#pos++] !== ":") this.#fail("Expecting ':' delimiter", this.#pos - 1);
      this.#skipSpace();
      // defineProperty: a "__proto__" key must become data, not the object's prototype.
      Object.defineProperty(out, key, {
        value: this.#value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#skipSpace();
      const c = this.#text[this.#pos++];
      if (c === "}") return out;
      if (c !== ",") this.#fail("Expecting ',' delimiter", this.#pos - 1);
    }
  }
}

const CONSTANTS: ReadonlyArray<readonly [string, JsonValue]> = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
];

const UNESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * `json.loads(data)` for the UTF-8 bytes memcached returns (Python decodes them with
 * 'surrogatepass'; it also sniffs UTF-16/32, which no Swift or swiftd writer produces).
 */
export function pythonJsonLoads(data: Uint8Array): JsonValue {
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    throw new JsonDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig): char 0");
  }
  return new Scanner(decodeUtf8(data, "surrogatepass")).document();
}
