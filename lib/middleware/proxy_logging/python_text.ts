/**
 * The bits of Python text formatting proxy_logging's line depends on: `"%.Nf"` (correctly
 * rounded, half to even on the exact binary value, where JS's toFixed() rounds ties up),
 * Swift's quote() of each field, and the str.format() spec mini-language for the specs a
 * log_msg_template can use on text and integers.
 *
 * @module
 */
/** `"%.{digits}f" % x`, exactly as CPython writes it. */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  // |x| = mantissa * 2**exponent exactly; scale to an integer count of 10**-digits units.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased) mantissa |= 1n << 52n;
  const exponent = (biased || 1) - 1075;
  let numerator = mantissa * 10n ** BigInt(digits);
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  let units = numerator / denominator;
  const twice = (numerator % denominator) * 2n;
  if (twice > denominator || (twice === denominator && units % 2n === 1n)) units += 1n;
  const text = units.toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = digits ? `.${text.slice(text.length - digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

const QUOTE_SAFE = /^[A-Za-z0-9_.~:/{}-]$/;

/**
 * swift.common.utils.quote(value, ":/{}"), as LogStringFormatter(quote=True) applies it to
 * every field: UTF-8 bytes (a lone surrogate as U+FFFD), all but letters, digits, "_.-~" and
 * ":/{}" percent-encoded. WSGI strings hold bytes as latin-1 characters, so a non-ASCII byte
 * comes out encoded twice (%C3%A9 for the byte 0xE9), as in Swift's logs.
 */
export function swiftQuote(text: string): string {
  let out = "";
  for (const char of text.toWellFormed()) {
    if (QUOTE_SAFE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) {
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

/** A parsed str.format() spec: [[fill]align][sign][#][0][width][grouping][.precision][type]. */
export interface FormatSpec {
  readonly fill: string;
  readonly align?: "<" | ">" | "^" | "=";
  readonly sign?: "+" | "-" | " ";
  readonly alternate: boolean;
  readonly zero: boolean;
  readonly width: number;
  readonly grouping?: "," | "_";
  readonly precision?: number;
  readonly type: string;
}

const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

/** Parses a format spec; throws where Python's format() would raise ValueError. */
export function parseSpec(spec: string): FormatSpec {
  const m = SPEC.exec(spec);
  if (!m) throw new RangeError("Invalid format specifier");
  return {
    fill: m[1] ?? (m[5] && !m[2] ? "0" : " "),
    align: m[2] as FormatSpec["align"],
    sign: m[3] as FormatSpec["sign"],
    alternate: Boolean(m[4]),
    zero: Boolean(m[5]),
    width: m[6] ? Number(m[6]) : 0,
    grouping: m[7] as FormatSpec["grouping"],
    precision: m[8] === undefined ? undefined : Number(m[8]),
    type: m[9] ?? "",
  };
}

/** Pads to the width; numbers zero-padded with "0" and no align pad after the sign. */
function pad(
  text: string,
  spec: FormatSpec,
  defaultAlign: "<" | ">" | "=",
  signLength = 0,
): string {
  const length = [...text].length;
  if (length >= spec.width) return text;
  const fill = spec.fill.repeat(spec.width - length);
  const align = spec.align ?? defaultAlign;
  if (align === "<") return text + fill;
  if (align === ">") return fill + text;
  if (align === "=") return text.slice(0, signLength) + fill + text.slice(signLength);
  const left = Math.floor((spec.width - length) / 2);
  return spec.fill.repeat(left) + text + spec.fill.repeat(spec.width - length - left);
}

/** format(str, spec): fill, align, width and precision (truncation) only. */
export function formatText(text: string, spec: FormatSpec): string {
  if (spec.sign) throw new RangeError("Sign not allowed in string format specifier");
  if (spec.alternate) {
    throw new RangeError("Alternate form (#) not allowed in string format specifier");
  }
  if (spec.align === "=") {
    throw new RangeError("'=' alignment not allowed in string format specifier");
  }
  if (spec.grouping) throw new RangeError(`Cannot specify '${spec.grouping}' with 's'.`);
  if (spec.type !== "" && spec.type !== "s") {
    throw new RangeError(`Unknown format code '${spec.type}' for object of type 'str'`);
  }
  const chars = [...text];
  const cut = spec.precision === undefined ? text : chars.slice(0, spec.precision).join("");
  return pad(cut, spec, "<");
}

/** format(int, spec) for decimal output (types "", "d" and "n" as in the C locale). */
export function formatInt(value: number, spec: FormatSpec): string {
  if (spec.precision !== undefined) {
    throw new RangeError("Precision not allowed in integer format specifier");
  }
  if (!["", "d", "n"].includes(spec.type)) {
    throw new RangeError(`Format code '${spec.type}' is not supported by swiftd for integers`);
  }
  let digits = String(Math.abs(value));
  if (spec.grouping) digits = digits.replace(/\B(?=(\d{3})+$)/g, spec.grouping);
  const sign = value < 0 ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(sign + digits, spec, spec.zero ? "=" : ">", sign.length);
}

/** format(float, spec) for "", "f", "F" and "%" (the types a duration is written with). */
export function formatFloat(value: number, spec: FormatSpec, repr: (x: number) => string): string {
  let body: string;
  const abs = Math.abs(value);
  if (spec.type === "" && spec.precision === undefined) body = repr(abs);
  else if (spec.type === "f" || spec.type === "F") body = pyFixed(abs, spec.precision ?? 6);
  else if (spec.type === "%") body = `${pyFixed(abs * 100, spec.precision ?? 6)}%`;
  else throw new RangeError(`Format spec '${spec.type}' is not supported by swiftd for floats`);
  if (spec.grouping) {
    const end = body.search(/[.%e]/);
    const whole = end < 0 ? body : body.slice(0, end);
    body = whole.replace(/\B(?=(\d{3})+$)/g, spec.grouping) + body.slice(whole.length);
  }
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(sign + body, spec, spec.zero ? "=" : ">", sign.length);
}
