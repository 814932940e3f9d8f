// Swift writes the ring header with json.dumps(sort_keys=True, ensure_ascii=True) and Python's
// float repr. Matching that byte for byte makes the uncompressed ring swiftd writes identical to
// the one Swift writes for the same data, so the two can be compared as bytes.

/** A JSON value as Python's json module sees it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/** Options for pythonJsonDumps(). */
export interface PythonJsonOptions {
  /** Keys whose numbers are Python floats, so 100 is written "100.0" (Swift's device weight). */
  readonly floatKeys?: ReadonlySet<string>;
}

/** json.dumps(value, sort_keys=True, ensure_ascii=True) with Python's default separators. */
export function pythonJsonDumps(value: JsonValue, opts: PythonJsonOptions = {}): string {
  return dump(value, false, opts.floatKeys ?? new Set());
}

function dump(value: JsonValue, isFloat: boolean, floatKeys: ReadonlySet<string>): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    return isFloat || !Number.isInteger(value) ? pythonFloatRepr(value) : pythonIntRepr(value);
  }
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) {
    return `[${value.map((item) => dump(item, false, floatKeys)).join(", ")}]`;
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  const items = keys.map((key) =>
    `${pythonString(key)}: ${dump(value[key], floatKeys.has(key), floatKeys)}`
  );
  return `{${items.join(", ")}}`;
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

function pythonIntRepr(value: number): string {
  // Integers past 2**53 are not exact in JS; BigInt keeps all digits of what we hold.
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** repr(float(value)) as Python 3 prints it: shortest round-trip digits, ".0" on integers. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does.
  const [mantissa, exp] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exp);
  const sign = value < 0 ? "-" : "";
  // Python's float_repr_style 'short' switches to exponent form outside 1e-4 <= |x| < 1e16.
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${frac}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intDigits = exponent + 1;
  if (digits.length <= intDigits) return `${sign}${digits.padEnd(intDigits, "0")}.0`;
  return `${sign}${digits.slice(0, intDigits)}.${digits.slice(intDigits)}`;
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

// ensure_ascii escapes everything outside " ".."~", non-BMP characters as surrogate pairs.
function pythonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return out + '"';
}
