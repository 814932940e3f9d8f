/**
 * Parsers for config values, following Swift's helpers in swift/common/utils.py
 * (config_true_value, config_auto_int_value, config_fallocate_value, list_from_csv...).
 *
 * A parser returns the typed value or throws InvalidValue with what was expected; the
 * loader adds file, line, section, key and the current value. Where Swift silently reads a
 * typo as a default (a boolean "treu" is false), the parser keeps Swift's result and warns.
 */
import { resolve } from "@std/path";
import { pyStrip } from "./ini.ts";

/** Thrown by a parser: `expected` completes "'key' ..." (e.g. "must be an integer >= 0"). */
export class InvalidValue extends Error {
  readonly expected: string;
  constructor(expected: string) {
    super(expected);
    this.name = "InvalidValue";
    this.expected = expected;
  }
}

/** Turns the raw string of one key into its typed value; `warn` reports a doubtful value. */
export type Parser<T> = (raw: string, warn: (reason: string) => void) => T;

/** Swift's TRUE_VALUES. */
const TRUE_VALUES = new Set(["true", "1", "yes", "on", "t", "y"]);
const FALSE_VALUES = new Set(["false", "0", "no", "off", "f", "n", ""]);

/** config_true_value(): true/1/yes/on/t/y are true; anything else is false, as in Swift. */
export const bool: Parser<boolean> = (raw, warn) => {
  const value = raw.toLowerCase();
  if (TRUE_VALUES.has(value)) return true;
  if (!FALSE_VALUES.has(value)) {
    warn(
      `is read as false: Swift reads anything but true, 1, yes, on, t or y as false ` +
        `(current value is "${raw}")`,
    );
  }
  return false;
};

const PY_INT = /^[+-]?\d+(_\d+)*$/;

/** Python's int() on a string: surrounding whitespace, a sign and `_` between digits allowed. */
function pyInt(raw: string): number | undefined {
  const text = pyStrip(raw);
  if (!PY_INT.test(text)) return undefined;
  const value = Number(text.replaceAll("_", ""));
  return Number.isSafeInteger(value) ? value : undefined;
}

const PY_FLOAT =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*\.|inf|infinity|nan)$/i;

/** Python's float() on a string. */
function pyFloat(raw: string): number | undefined {
  const text = pyStrip(raw);
  if (!PY_FLOAT.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^[+]/, "");
  if (lower.endsWith("nan")) return NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    return lower.startsWith("-") ? -Infinity : Infinity;
  }
  return Number(text.replaceAll("_", ""));
}

function rangeText(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return "";
}

/** An integer within optional bounds (Python int() syntax). */
export function int(bounds: { min?: number; max?: number } = {}): Parser<number> {
  const expected = `must be an integer${rangeText(bounds.min, bounds.max)}`;
  return (raw) => {
    const value = pyInt(raw);
    if (value === undefined) throw new InvalidValue(expected);
    if (bounds.min !== undefined && value < bounds.min) throw new InvalidValue(expected);
    if (bounds.max !== undefined && value > bounds.max) throw new InvalidValue(expected);
    return value;
  };
}

/** A number within optional bounds (Python float() syntax, NaN refused). */
export function float(bounds: { min?: number; max?: number } = {}): Parser<number> {
  const expected = `must be a number${rangeText(bounds.min, bounds.max)}`;
  return (raw) => {
    const value = pyFloat(raw);
    if (value === undefined || Number.isNaN(value)) throw new InvalidValue(expected);
    if (bounds.min !== undefined && value < bounds.min) throw new InvalidValue(expected);
    if (bounds.max !== undefined && value > bounds.max) throw new InvalidValue(expected);
    return value;
  };
}

/** A TCP port, 1..65535. */
export const port: Parser<number> = int({ min: 1, max: 65535 });

/** A duration in seconds (a non-negative number). */
export const seconds: Parser<number> = float({ min: 0 });

/** Workers-style counts: an integer >= 0, or "auto" for the number of CPUs (Swift's CPU_COUNT). */
export const autoCount: Parser<number> = (raw) => {
  if (pyStrip(raw).toLowerCase() === "auto") return navigator.hardwareConcurrency || 1;
  const value = pyInt(raw);
  if (value === undefined || value < 0) {
    throw new InvalidValue(`must be an integer >= 0 or "auto"`);
  }
  return value;
};

/** Any string, kept as written. */
export const text: Parser<string> = (raw) => raw;

/** A filesystem path, made absolute against the directory swiftd was started in. */
export const path: Parser<string> = (raw) => {
  if (raw === "") throw new InvalidValue("must be a path");
  return resolve(raw);
};

/** A path that may be left empty (empty disables the feature). */
export const optionalPath: Parser<string | undefined> = (raw) =>
  raw === "" ? undefined : resolve(raw);

/** A string that may be left empty (empty means unset). */
export const optionalText: Parser<string | undefined> = (raw) => raw === "" ? undefined : raw;

/** list_from_csv(): comma-separated, items stripped, empty items dropped. */
export const csv: Parser<string[]> = (raw) =>
  raw.split(",").map((item) => pyStrip(item)).filter(Boolean);

/** Swift's log levels, with its NOTICE (25) between INFO and WARNING. */
export const LOG_LEVELS = {
  DEBUG: 10,
  INFO: 20,
  NOTICE: 25,
  WARNING: 30,
  WARN: 30,
  ERROR: 40,
  CRITICAL: 50,
  FATAL: 50,
} as const;

/** log_level: a Swift level name; Swift reads an unknown name as INFO, and so do we (with a warning). */
export const logLevel: Parser<number> = (raw, warn) => {
  const level = LOG_LEVELS[raw.toUpperCase() as keyof typeof LOG_LEVELS];
  if (level !== undefined) return level;
  warn(
    `is not a log level, so INFO is used as in Swift (levels: ${
      Object.keys(LOG_LEVELS).join(", ")
    })`,
  );
  return LOG_LEVELS.INFO;
};

/** Syslog facilities by Python's SysLogHandler attribute names. */
export const FACILITIES: Readonly<Record<string, number>> = {
  LOG_KERN: 0,
  LOG_USER: 1,
  LOG_MAIL: 2,
  LOG_DAEMON: 3,
  LOG_AUTH: 4,
  LOG_SYSLOG: 5,
  LOG_LPR: 6,
  LOG_NEWS: 7,
  LOG_UUCP: 8,
  LOG_CRON: 9,
  LOG_AUTHPRIV: 10,
  LOG_FTP: 11,
  LOG_NTP: 12,
  LOG_SECURITY: 13,
  LOG_CONSOLE: 14,
  LOG_SOLCRON: 15,
  LOG_LOCAL0: 16,
  LOG_LOCAL1: 17,
  LOG_LOCAL2: 18,
  LOG_LOCAL3: 19,
  LOG_LOCAL4: 20,
  LOG_LOCAL5: 21,
  LOG_LOCAL6: 22,
  LOG_LOCAL7: 23,
};

/** log_facility: LOG_LOCAL0..7 and the other syslog names; unknown -> LOG_LOCAL0 as in Swift. */
export const facility: Parser<number> = (raw, warn) => {
  const value = FACILITIES[raw];
  if (value !== undefined) return value;
  warn(
    `is not a syslog facility, so LOG_LOCAL0 is used as in Swift (use LOG_LOCAL0 to LOG_LOCAL7)`,
  );
  return FACILITIES.LOG_LOCAL0;
};

/** fallocate_reserve: bytes to keep free, or a percentage of the disk ("1%"). */
export interface FallocateReserve {
  readonly value: number;
  readonly isPercent: boolean;
}

/** config_fallocate_value(): "N%" (0 to 100) or a byte count. */
export const fallocateReserve: Parser<FallocateReserve> = (raw) => {
  const expected = `must be a byte count or a percentage such as "1%"`;
  if (raw.endsWith("%")) {
    const value = pyFloat(raw.slice(0, -1));
    if (value === undefined || !(value >= 0 && value <= 100)) throw new InvalidValue(expected);
    return { value, isPercent: true };
  }
  const value = pyInt(raw);
  if (value === undefined || value < 0) throw new InvalidValue(expected);
  return { value, isPercent: false };
};

/** One of a fixed set of words. */
export function oneOf<const T extends string>(...choices: T[]): Parser<T> {
  return (raw) => {
    const value = raw.toLowerCase() as T;
    if (choices.includes(value)) return value;
    throw new InvalidValue(`must be one of ${choices.map((c) => `"${c}"`).join(", ")}`);
  };
}
