/**
 * Swift's Timestamp (swift/common/utils.py of Swift 2.30): the normalized
 * "0000001234.56789" form, the internal form with a hex offset
 * "0000001234.56789_000000000000000a", and the multi-timestamp encoding that
 * container rows and .meta file names use.
 *
 * Every string this module produces must be byte-identical to Swift's, because
 * these strings are stored in databases and file names and compared as text by
 * both implementations.
 */

/** Smallest step between two timestamps, in seconds (Swift's PRECISION). */
export const PRECISION = 1e-5;
/** Largest offset a timestamp may carry (Swift's MAX_OFFSET). */
export const MAX_OFFSET: bigint = 16n ** 16n - 1n;

/** Anything Swift's Timestamp constructor accepts. */
export type TimestampInput = Timestamp | string | number;

/** Options for {@linkcode Timestamp}'s constructor. */
export interface TimestampOptions {
  /** Added to the offset already carried by the input. */
  offset?: number | bigint;
  /** Deca-microseconds added to the time. */
  delta?: number;
  /** Reject times below 0 and at or above 10000000000 (default true). */
  checkBounds?: boolean;
}

/** Swift's internal representation of time, with the same formats and ordering. */
export class Timestamp {
  /** Seconds since the epoch, as the float Swift keeps. */
  readonly timestamp: number;
  /** The internal offset vector that orders writes sharing one time. */
  readonly offset: bigint;
  /** Time in units of PRECISION, rounded the way Python's round() does. */
  readonly raw: number;
  #normal?: string;

  /** Builds a timestamp from a number, a normal/internal string or another Timestamp. */
  constructor(value: TimestampInput, options: TimestampOptions = {}) {
    let seconds: number;
    let offset = 0n;
    if (typeof value === "string") {
      const underscore = value.indexOf("_");
      const base = underscore < 0 ? value : value.slice(0, underscore);
      const baseOffset = underscore < 0 ? "" : value.slice(underscore + 1);
      seconds = parsePythonFloat(base, value);
      if (baseOffset !== "") offset = parseHexOffset(baseOffset, value);
    } else if (value instanceof Timestamp) {
      seconds = value.timestamp;
      offset = value.offset;
    } else {
      seconds = value;
    }
    const extra = BigInt(options.offset ?? 0);
    if (extra < 0n) {
      throw new RangeError(`Timestamp offset must be non-negative: current value is "${extra}"`);
    }
    offset += extra;
    if (offset > MAX_OFFSET) {
      throw new RangeError(
        `Timestamp offset must be smaller than ${MAX_OFFSET}: current value is "${offset}"`,
      );
    }
    if (!Number.isFinite(seconds)) {
      throw new RangeError(`Timestamp must be a finite number: current value is "${value}"`);
    }
    let raw = roundHalfEven(seconds / PRECISION);
    const delta = options.delta ?? 0;
    if (delta) {
      raw += delta;
      if (raw <= 0) {
        throw new RangeError(
          `Timestamp delta must be greater than ${-raw}: current value is "${delta}"`,
        );
      }
      seconds = raw * PRECISION;
    }
    if (options.checkBounds ?? true) {
      if (seconds < 0) {
        throw new RangeError(`Timestamp cannot be negative: current value is "${seconds}"`);
      }
      if (seconds >= 10000000000) {
        throw new RangeError(`Timestamp too large: current value is "${seconds}"`);
      }
    }
    this.timestamp = seconds;
    this.offset = offset;
    this.raw = raw;
  }

  /** The current time as a Timestamp, like Timestamp.now(). */
  static now(options: TimestampOptions = {}): Timestamp {
    return new Timestamp((performance.timeOrigin + performance.now()) / 1000, options);
  }

  /** "%016.05f" of the time: what clients see in X-Timestamp. */
  get normal(): string {
    // Kept: a response formats the same timestamps several times (headers, log, listings).
    if (this.#normal !== undefined) return this.#normal;
    const fixed = pythonFixed5(this.timestamp);
    this.#normal = fixed.startsWith("-")
      ? `-${fixed.slice(1).padStart(15, "0")}`
      : fixed.padStart(16, "0");
    return this.#normal;
  }

  /** The normal form plus "_%016x" of the offset when the offset is not zero. */
  get internal(): string {
    return this.offset
      ? `${this.normal}_${this.offset.toString(16).padStart(16, "0")}`
      : this.normal;
  }

  /** The normal form plus "_%x" of the offset when the offset is not zero. */
  get short(): string {
    return this.offset ? `${this.normal}_${this.offset.toString(16)}` : this.normal;
  }

  /** "1970-01-01T00:00:00.000000": the last_modified of container listings. */
  get isoformat(): string {
    const t = Number(this.normal);
    let whole = Math.trunc(t);
    let micros = roundHalfEven((t - whole) * 1e6);
    if (micros >= 1000000) {
      whole += 1;
      micros -= 1000000;
    }
    const date = new Date(whole * 1000).toISOString().slice(0, 19);
    return `${date}.${String(micros).padStart(6, "0")}`;
  }

  /** The normal part rounded up to whole seconds (for Last-Modified). */
  ceil(): number {
    return Math.ceil(this.timestamp);
  }

  /** True unless both the time and the offset are zero (Python truthiness). */
  isNonZero(): boolean {
    return this.timestamp !== 0 || this.offset !== 0n;
  }

  /** Python's `==`: false when `other` is null or cannot be parsed. */
  equals(other: TimestampInput | null | undefined): boolean {
    if (other === null || other === undefined) return false;
    let that: Timestamp;
    try {
      that = toTimestamp(other);
    } catch {
      return false;
    }
    return this.internal === that.internal;
  }

  /** Python's `<`, which orders by the internal string. */
  lessThan(other: TimestampInput | null | undefined): boolean {
    if (other === null || other === undefined) return false;
    const that = toTimestamp(other);
    if (that.timestamp < 0) return false;
    if (that.timestamp >= 10000000000) return true;
    return this.internal < that.internal;
  }

  /** Python's `>` as functools.total_ordering derives it. */
  greaterThan(other: TimestampInput | null | undefined): boolean {
    return !this.lessThan(other) && !this.equals(other);
  }

  /** Python's `<=` as functools.total_ordering derives it. */
  lessOrEqual(other: TimestampInput | null | undefined): boolean {
    return this.lessThan(other) || this.equals(other);
  }

  /** Python's `>=` as functools.total_ordering derives it. */
  greaterOrEqual(other: TimestampInput | null | undefined): boolean {
    return !this.lessThan(other);
  }

  /** -1, 0 or 1 as this timestamp sorts before, with or after `other`. */
  compare(other: TimestampInput): -1 | 0 | 1 {
    if (this.lessThan(other)) return -1;
    return this.equals(other) ? 0 : 1;
  }

  /** Refuses implicit string conversion, as Swift does, so no caller picks a format by accident. */
  toString(): string {
    throw new TypeError("Timestamp needs an explicit format: use .normal, .internal or .short");
  }
}

function toTimestamp(value: TimestampInput): Timestamp {
  return value instanceof Timestamp ? value : new Timestamp(value, { checkBounds: false });
}

/** Timestamp(value).normal, like normalize_timestamp(). */
export function normalizeTimestamp(value: TimestampInput): string {
  return new Timestamp(value).normal;
}

/**
 * encode_timestamps(): "<t1.short>[<+/-hex delta t2-t1>[<+/-hex delta t3-t2>]]",
 * as stored in the created_at column of container object rows.
 */
export function encodeTimestamps(
  t1: Timestamp,
  t2?: Timestamp | null,
  t3?: Timestamp | null,
  explicit = false,
): string {
  let out = t1.short;
  if (t2 === undefined || t2 === null) return out;
  const d2 = t2.raw - t1.raw;
  let show = explicit || d2 !== 0;
  let d3: number | undefined;
  if (t3 !== undefined && t3 !== null) {
    d3 = t3.raw - t2.raw;
    show = show || d3 !== 0;
  }
  if (show) {
    out += signedHex(d2);
    if (d3 !== undefined) out += signedHex(d3);
  }
  return out;
}

/** decode_timestamps(): the three timestamps of an encode_timestamps() string. */
export function decodeTimestamps(
  encoded: string | number,
): [Timestamp, Timestamp, Timestamp] {
  if (typeof encoded !== "string") {
    const ts = new Timestamp(encoded);
    return [ts, ts, ts];
  }
  const parts: string[] = [];
  const signs: number[] = [];
  for (const part of encoded.split("+")) {
    const negParts = part.split("-");
    parts.push(...negParts);
    signs.push(1, ...negParts.slice(1).map(() => -1));
  }
  const t1 = new Timestamp(parts[0]);
  let t2 = t1;
  if (parts.length > 1) {
    const delta = signs[1] * parseHexInt(parts[1], encoded);
    if (delta) t2 = new Timestamp((t1.raw + delta) * PRECISION);
  }
  let t3 = t2;
  if (parts.length > 2) {
    const delta = signs[2] * parseHexInt(parts[2], encoded);
    if (delta) t3 = new Timestamp((t2.raw + delta) * PRECISION);
  }
  return [t1, t2, t3];
}

function signedHex(n: number): string {
  return n < 0 ? `-${(-n).toString(16)}` : `+${n.toString(16)}`;
}

function parseHexInt(text: string, whole: string): number {
  if (!/^\s*[0-9a-fA-F]+\s*$/.test(text)) {
    throw new RangeError(`Cannot decode timestamps: "${text}" is not hex in "${whole}"`);
  }
  return parseInt(text.trim(), 16);
}

function parseHexOffset(text: string, whole: string): bigint {
  if (!/^\s*(0[xX])?[0-9a-fA-F]+\s*$/.test(text)) {
    throw new RangeError(`Cannot parse timestamp offset: "${text}" is not hex in "${whole}"`);
  }
  const digits = text.trim().replace(/^0[xX]/, "");
  return BigInt(`0x${digits}`);
}

// Python's float() accepts surrounding whitespace, a sign, exponents and
// inf/nan; anything else raises, so the same strings are refused here.
const PY_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PY_SPECIAL = /^[+-]?(inf|infinity|nan)$/i;

function parsePythonFloat(text: string, whole: string): number {
  const trimmed = text.trim();
  if (PY_FLOAT.test(trimmed)) return Number(trimmed);
  if (PY_SPECIAL.test(trimmed)) {
    const sign = trimmed.startsWith("-") ? -1 : 1;
    return /nan/i.test(trimmed) ? NaN : sign * Infinity;
  }
  throw new RangeError(`Cannot parse timestamp: current value is "${whole}"`);
}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Python's "%.5f": rounds the exact binary value of `x` half-to-even. JS
 * toFixed(5) rounds exact ties up, so the exact expansion (toFixed(100) is
 * exact in V8) is rounded here by hand.
 */
function pythonFixed5(x: number): string {
  // toFixed(5) rounds the same exact value and differs only on an exact tie: x * 10^5 ending in
  // exactly .5, i.e. 2 * 10^5 * x an odd integer, which for a double means x = n / 64 with n
  // odd (x * 64 is exact). Every other positive x takes the fast path.
  const sixtyFourths = x * 64;
  if (x > 0 && x < 1e21 && (!Number.isInteger(sixtyFourths) || sixtyFourths % 2 === 0)) {
    return x.toFixed(5);
  }
  const negative = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(100);
  const [intPart, frac] = exact.split(".");
  const kept = BigInt(intPart + frac.slice(0, 5));
  const rest = frac.slice(5);
  let rounded = kept;
  if (rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)))) rounded += 1n;
  else if (rest[0] === "5" && kept % 2n === 1n) rounded += 1n;
  const digits = rounded.toString().padStart(6, "0");
  const text = `${digits.slice(0, -5)}.${digits.slice(-5)}`;
  return negative ? `-${text}` : text;
}
