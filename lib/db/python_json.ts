/**
 * Python's json.dumps() with its defaults (ensure_ascii, ", " and ": "
 * separators). Swift stores database metadata with it and replication
 * compares and copies that text, so swiftd writes the very same bytes.
 */

/** A JSON value whose objects keep insertion order even for integer-like keys. */
export type PythonJsonValue =
  | null
  | boolean
  | number
  | string
  | PythonJsonValue[]
  | Map<string, PythonJsonValue>;

/** Serializes `value` byte-for-byte as Python's json.dumps(value) would. */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const items: string[] = [];
  for (const [key, item] of value) items.push(`${pythonJsonString(key)}: ${pythonJsonDumps(item)}`);
  return `{${items.join(", ")}}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** json.encoder.py_encode_basestring_ascii: every char outside " ".."~" becomes \uXXXX. */
function pythonJsonString(text: string): string {
  // JS strings are UTF-16 already, so astral characters come out as the same
  // surrogate pairs that Python writes.
  return `"${
    text.replace(/[\\"]|[^ -~]/g, (c) =>
      SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }"`;
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  // JSON numbers that are not safe integers were floats on the Python side too (metadata holds strings).
  return Number.isSafeInteger(n) ? n.toFixed(0) : pythonFloatRepr(n);
}

/** Python's repr() of a float: shortest round-trip digits, ".0" on integral values, e+XX past 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = x.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let text: string;
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.slice(1);
    const sign = exponent < 0 ? "-" : "+";
    text = `${digits[0]}${frac ? `.${frac}` : ""}e${sign}${
      String(Math.abs(exponent)).padStart(2, "0")
    }`;
  } else if (exponent < 0) {
    text = `0.${"0".repeat(-exponent - 1)}${digits}`;
  } else if (digits.length <= exponent + 1) {
    text = `${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  } else {
    text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  return negative ? `-${text}` : text;
}

/** Parses JSON into {@linkcode PythonJsonValue}s, keeping object key order as Python's json.loads does. */
export function pythonJsonLoads(text: string): PythonJsonValue {
  // JSON.parse would move integer-like keys first; Python keeps text order.
  const reader = new OrderedJsonReader(text);
  const value = reader.value();
  reader.end();
  return value;
}

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity/y;
const STRING = /"(?:[^"\\]|\\.)*"/sy;

class OrderedJsonReader {
  #text: string;
  #pos = 0;
  constructor(text: string) {
    this.#text = text;
  }

  value(): PythonJsonValue {
    this.#skipSpace();
    const c = this.#text[this.#pos];
    if (c === "{") return this.#object();
    if (c === "[") return this.#array();
    if (c === '"') return this.#string();
    const match = this.#match(LITERAL);
    if (!match) throw new SyntaxError(`Invalid JSON at offset ${this.#pos}`);
    this.#pos += match[0].length;
    const word = match[0];
    if (word === "true") return true;
    if (word === "false") return false;
    if (word === "null") return null;
    return Number(word);
  }

  end(): void {
    this.#skipSpace();
    if (this.#pos !== this.#text.length) {
      throw new SyntaxError(`Extra data in JSON at offset ${this.#pos}`);
    }
  }

  #object(): Map<string, PythonJsonValue> {
    const out = new Map<string, PythonJsonValue>();
    this.#pos++;
    this.#skipSpace();
    if (this.#text[this.#pos] === "}") {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipSpace();
      const key = this.#string();
      this.#expect(":");
      // Python keeps the position of the first occurrence and the last value.
      out.set(key, this.value());
      this.#skipSpace();
      if (this.#text[this.#pos] === ",") {
        this.#pos++;
        continue;
      }
      this.#expect("}");
      return out;
    }
  }

  #array(): PythonJsonValue[] {
    const out: PythonJsonValue[] = [];
    this.#pos++;
    this.#skipSpace();
    if (this.#text[this.#pos] === "]") {
      this.#pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.#skipSpace();
      if (this.#text[this.#pos] === ",") {
        this.#pos++;
        continue;
      }
      this.#expect("]");
      return out;
    }
  }

  #string(): string {
    const match = this.#match(STRING);
    if (!match) throw new SyntaxError(`Invalid JSON string at offset ${this.#pos}`);
    this.#pos += match[0].length;
    return JSON.parse(match[0]);
  }

  #match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.#pos;
    return pattern.exec(this.#text);
  }

  #expect(c: string): void {
    this.#skipSpace();
    if (this.#text[this.#pos] !== c) {
      throw new SyntaxError(`Expected "${c}" in JSON at offset ${this.#pos}`);
    }
    this.#pos++;
  }

  #skipSpace(): void {
    while (/\s/.test(this.#text[this.#pos] ?? "")) this.#pos++;
  }
}
