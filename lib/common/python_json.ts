/**
 * Python's `json.dumps()` and `json.loads()`, byte for byte. Swift writes JSON with them into
 * places swiftd shares with it: database metadata and replication answers, memcached entries,
 * ring headers, recon answers and container listings. Readers compare, cache or copy that text,
 * so swiftd writes the very same bytes.
 *
 * JSON.stringify cannot do this: Python escapes every non-ASCII char and DEL (`ensure_ascii`),
 * puts a space after `,` and `:`, spells floats with repr() (`1e+16`, `2.0`) and writes
 * NaN/Infinity; json.loads accepts those, keeps integers exact and keeps key order.
 *
 * | Python                | written from                                   | read as                          |
 * | --------------------- | ---------------------------------------------- | -------------------------------- |
 * | `None`, `bool`, `str` | `null`, `boolean`, `string`                    | the same                         |
 * | `int`                 | a safe-integer `number`, `bigint`              | `number` when safe, else `bigint` |
 * | `float`               | `PyFloat`, any other `number`                  | `number`, or `PyFloat` (exact)   |
 * | `list` / `tuple`      | `Array`, `PyTuple`                             | `Array`                          |
 * | `dict`                | `Map`, plain object                            | plain object, or `Map` (exact)   |
 *
 * @module
 */
import { decodeUtf8 } from "./python_codecs.ts";
import { pythonFloatRepr } from "./python_float_repr.ts";
import { PyFloat, PyTuple } from "./pickle_value.ts";

export { PyFloat };

/** A value pythonJsonLoads() returns. A JS object puts integer-like keys first. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A value as Python's json module sees it, which pythonJsonLoadsExact() returns: number and
 * bigint are ints, PyFloat is a float, and objects are Maps so that key order is kept.
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

/** Options for pythonJsonDumps(); the defaults are json.dumps()'s. */
export interface PythonJsonDumpsOptions {
  /** sort_keys=True: object keys in code point order, as Python sorts str. */
  readonly sortKeys?: boolean;
  /** Keys whose numbers are Python floats, so 100 is written "100.0" (a ring's device weight). */
  readonly floatKeys?: ReadonlySet<string>;
}

/** Thrown by the loaders on text Python's json.loads() rejects (Python's JSONDecodeError). */
export class JsonDecodeError extends SyntaxError {
  /** Builds the error; `message` says what was expected and where. */
  constructor(message: string) {
    super(message);
    this.name = "JsonDecodeError";
  }
}

/**
 * `json.dumps(value)`: ASCII-only text, ", " and ": " separators, NaN and Infinity allowed.
 * A number that is not a safe integer is written as a float: the loaders return a bigint for
 * a larger int.
 */
export function pythonJsonDumps(value: unknown, opts: PythonJsonDumpsOptions = {}): string {
  const out: string[] = [];
  dumpsInto(value, out, { seen: new Set(), asFloat: false, ...opts });
  return out.join("");
}

interface DumpState extends PythonJsonDumpsOptions {
  readonly seen: Set<object>;
  readonly asFloat: boolean;
}

function dumpsInto(value: unknown, out: string[], state: DumpState): void {
  if (value === null) out.push("null");
  else if (value === true) out.push("true");
  else if (value === false) out.push("false");
  else if (typeof value === "number") {
    out.push(state.asFloat ? floatText(value) : numberText(value));
  } else if (typeof value === "bigint") out.push(value.toString());
  else if (typeof value === "string") out.push(quote(value));
  else if (value instanceof PyFloat) out.push(floatText(value.value));
  else if (typeof value === "object" && !(value instanceof Uint8Array)) {
    const { seen } = state;
    if (seen.has(value)) throw new TypeError("Circular reference detected");
    seen.add(value);
    const inner = state.asFloat ? { ...state, asFloat: false } : state;
    if (Array.isArray(value) || value instanceof PyTuple) {
      const items = Array.isArray(value) ? value : value.items;
      out.push("[");
      items.forEach((item, i) => {
        if (i > 0) out.push(", ");
        dumpsInto(item, out, inner);
      });
      out.push("]");
    } else {
      const entries = (value instanceof Map ? [...value] : Object.entries(value))
        .map(([key, item]): [string, unknown] => [keyText(key), item]);
      if (state.sortKeys) entries.sort(([a], [b]) => compareCodePoints(a, b));
      out.push("{");
      entries.forEach(([key, item], i) => {
        if (i > 0) out.push(", ");
        out.push(quote(key), ": ");
        const isFloat = state.floatKeys?.has(key) ?? false;
        dumpsInto(item, out, isFloat === inner.asFloat ? inner : { ...inner, asFloat: isFloat });
      });
      out.push("}");
    }
    seen.delete(value);
  } else {
    throw new TypeError(`Object of type ${typeName(value)} is not JSON serializable`);
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
      /[\\"]|[^ -~]/g,
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
  // A JS number cannot tell 2 from 2.0: safe integers are written as Python ints.
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

// Python sorts str keys by code point; JS's default sort compares UTF-16 code units.
function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return ca[i] - cb[i];
  }
  return ca.length - cb.length;
}

function typeName(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? value?.constructor?.name ?? "object" : typeof value;
}

/**
 * `json.loads(data)` into plain objects and numbers. Bytes are UTF-8, decoded with
 * 'surrogatepass' as Python does (it also sniffs UTF-16/32, which no Swift or swiftd writer
 * produces).
 */
export function pythonJsonLoads(data: Uint8Array | string): JsonValue {
  const text = typeof data === "string" ? data : decodeUtf8(data, "surrogatepass");
  return new Scanner(text, false).document() as JsonValue;
}

/**
 * `json.loads(text)` into values that pythonJsonDumps() writes back as Python would: objects
 * are Maps in text order (JS objects move integer-like keys first) and floats are PyFloats, so
 * 1.0 stays "1.0".
 */
export function pythonJsonLoadsExact(text: string): PyJson {
  return new Scanner(text, true).document() as PyJson;
}

/** CPython 3.11's sys.get_int_max_str_digits() default: int() refuses longer digit strings. */
const INT_MAX_STR_DIGITS = 4300;

// The C scanner's grammar: ASCII digits only, no leading zeros, "1." and "1e" are not numbers.
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
// json.decoder.WHITESPACE: only these four, unlike JS's \s.
const WHITESPACE = /[ \t\n\r]*/y;

// What the scanner builds: a JsonValue or a PyJson, depending on `exact`.
type Scanned = unknown;

/** CPython's C scanner (json.scanner.c_make_scanner) with strict=True. */
class Scanner {
  readonly #text: string;
  /** True: Maps and PyFloats (pythonJsonLoadsExact); false: plain objects and numbers. */
  readonly #exact: boolean;
  #pos = 0;

  constructor(text: string, exact: boolean) {
    this.#text = text;
    this.#exact = exact;
  }

  #fail(what: string, pos = this.#pos): never {
    throw new JsonDecodeError(`${what}: char ${pos}`);
  }

  #skipSpace(): void {
    WHITESPACE.lastIndex = this.#pos;
    WHITESPACE.exec(this.#text);
    this.#pos = WHITESPACE.lastIndex;
  }

  document(): Scanned {
    if (this.#text.startsWith("\ufeff")) {
      this.#fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    }
    this.#skipSpace();
    const value = this.#value();
    this.#skipSpace();
    if (this.#pos !== this.#text.length) this.#fail("Extra data");
    return value;
  }

  #float(x: number): Scanned {
    return this.#exact ? new PyFloat(x) : x;
  }

  #value(): Scanned {
    const text = this.#text;
    const c = text[this.#pos];
    if (c === '"') return this.#string();
    if (c === "{") return this.#object();
    if (c === "[") return this.#array();
    for (const [word, value] of CONSTANTS) {
      if (text.startsWith(word, this.#pos)) {
        this.#pos += word.length;
        return typeof value === "number" ? this.#float(value) : value;
      }
    }
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(text);
    if (!match) this.#fail("Expecting value");
    if (match[1] !== undefined || match[2] !== undefined) {
      this.#pos = NUMBER.lastIndex;
      return this.#float(Number(match[0]));
    }
    if (match[0].replace("-", "").length > INT_MAX_STR_DIGITS) {
      this.#fail(`Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string`);
    }
    this.#pos = NUMBER.lastIndex;
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

  #array(): Scanned[] {
    const items: Scanned[] = [];
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

  #object(): Scanned {
    const entries: [string, Scanned][] = [];
    this.#pos++;
    this.#skipSpace();
    if (this.#text[this.#pos] === "}") {
      this.#pos++;
      return this.#exact ? new Map() : {};
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
      entries.push([key, this.#value()]);
      this.#skipSpace();
      const c = this.#text[this.#pos++];
      if (c === "}") break;
      if (c !== ",") this.#fail("Expecting ',' delimiter", this.#pos - 1);
    }
    // Like a dict, a repeated key keeps its first position and takes the last value.
    if (this.#exact) return new Map(entries as [string, PyJson][]);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of entries) {
      // defineProperty: a "__proto__" key must become data, not the object's prototype.
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

const CONSTANTS: ReadonlyArray<readonly [string, null | boolean | number]> = [
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
