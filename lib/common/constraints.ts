/**
 * swift.conf [swift-constraints] as swift/common/constraints.py reload_constraints() reads it:
 * each constraint of DEFAULT_CONSTRAINTS, looked up in [swift-constraints] (falling back to
 * [DEFAULT], as ConfigParser.get() does), integers through Python's int() with no bounds, lists
 * through list_from_csv() and strings as written. Swift lets a non-integer value raise at import,
 * so the server does not start; swiftd refuses it with the key's file:line.
 */
import { ConfigError } from "../config/errors.ts";
import { type ConfValue, pyStrip } from "../config/ini.ts";

/** The constraints of swift.conf, effective values (overrides over Swift's defaults). */
export interface SwiftConstraints {
  /** Largest object (and large-object segment) in bytes. */
  readonly maxFileSize: number;
  readonly maxMetaNameLength: number;
  readonly maxMetaValueLength: number;
  readonly maxMetaCount: number;
  readonly maxMetaOverallSize: number;
  readonly maxHeaderSize: number;
  readonly maxObjectNameLength: number;
  readonly containerListingLimit: number;
  readonly accountListingLimit: number;
  readonly maxAccountNameLength: number;
  readonly maxContainerNameLength: number;
  readonly validApiVersions: readonly string[];
  readonly extraHeaderCount: number;
  readonly autoCreateAccountPrefix: string;
  /** MAX_HEADER_COUNT: max_meta_count + 36 + max(extra_header_count, 0). */
  readonly maxHeaderCount: number;
  /** Keys swift.conf sets (OVERRIDE_CONSTRAINTS), in DEFAULT_CONSTRAINTS order. */
  readonly overridden: readonly string[];
}

type ConstraintField = Exclude<keyof SwiftConstraints, "maxHeaderCount" | "overridden">;

/** One constraint: its swift.conf key, how Swift converts it, and Swift's default. */
export interface ConstraintSpec {
  readonly key: string;
  readonly field: ConstraintField;
  /** Swift picks the conversion from the default's Python type: int, str or list. */
  readonly kind: "int" | "str" | "list";
  readonly default: number | string | readonly string[];
  readonly doc: string;
}

/** DEFAULT_CONSTRAINTS of Swift 2.30, in its order (the order /info publishes them in). */
export const CONSTRAINTS: readonly ConstraintSpec[] = Object.freeze(
  [
    {
      key: "max_file_size",
      field: "maxFileSize",
      kind: "int",
      default: 5368709122,
      doc: "Largest object, and largest segment of a large object, in bytes.",
    },
    {
      key: "max_meta_name_length",
      field: "maxMetaNameLength",
      kind: "int",
      default: 128,
      doc: "Longest metadata name, in bytes of UTF-8.",
    },
    {
      key: "max_meta_value_length",
      field: "maxMetaValueLength",
      kind: "int",
      default: 256,
      doc: "Longest metadata value, in bytes of UTF-8.",
    },
    {
      key: "max_meta_count",
      field: "maxMetaCount",
      kind: "int",
      default: 90,
      doc: "Most metadata keys on one account, container or object.",
    },
    {
      key: "max_meta_overall_size",
      field: "maxMetaOverallSize",
      kind: "int",
      default: 4096,
      doc: "Largest total of metadata names and values, in bytes of UTF-8.",
    },
    {
      key: "max_header_size",
      field: "maxHeaderSize",
      kind: "int",
      default: 8192,
      doc: "Longest header value, in bytes of UTF-8.",
    },
    {
      key: "max_object_name_length",
      field: "maxObjectNameLength",
      kind: "int",
      default: 1024,
      doc: "Longest object name, in bytes of UTF-8.",
    },
    {
      key: "container_listing_limit",
      field: "containerListingLimit",
      kind: "int",
      default: 10000,
      doc: "Default and largest number of items in one container listing.",
    },
    {
      key: "account_listing_limit",
      field: "accountListingLimit",
      kind: "int",
      default: 10000,
      doc: "Default and largest number of items in one account listing.",
    },
    {
      key: "max_account_name_length",
      field: "maxAccountNameLength",
      kind: "int",
      default: 256,
      doc: "Longest account name, in bytes of UTF-8.",
    },
    {
      key: "max_container_name_length",
      field: "maxContainerNameLength",
      kind: "int",
      default: 256,
      doc: "Longest container name, in bytes of UTF-8.",
    },
    {
      key: "valid_api_versions",
      field: "validApiVersions",
      kind: "list",
      default: Object.freeze(["v1", "v1.0"]),
      doc: "API version strings accepted as the first path segment (comma-separated).",
    },
    {
      key: "extra_header_count",
      field: "extraHeaderCount",
      kind: "int",
      default: 0,
      doc: "Headers allowed beyond max_meta_count + 36 (for custom middleware).",
    },
    {
      key: "auto_create_account_prefix",
      field: "autoCreateAccountPrefix",
      kind: "str",
      default: ".",
      doc: "Prefix of hidden auto-created accounts; leave it at '.'.",
    },
  ] satisfies ConstraintSpec[],
);

/**
 * reload_constraints(): `lookup` returns the (interpolated) value of a key in
 * [swift-constraints] or [DEFAULT], or is undefined when swift.conf has no [swift-constraints]
 * section, where Swift stops looking (NoSectionError) and keeps every default.
 */
export function readConstraints(
  lookup: ((key: string) => ConfValue | undefined) | undefined,
): SwiftConstraints {
  const values: Record<string, unknown> = {};
  const overridden: string[] = [];
  for (const spec of CONSTRAINTS) {
    const found = lookup?.(spec.key);
    values[spec.field] = found === undefined ? spec.default : convert(spec, found);
    if (found !== undefined) overridden.push(spec.key);
  }
  const effective = values as Omit<SwiftConstraints, "maxHeaderCount" | "overridden">;
  return Object.freeze({
    ...effective,
    maxHeaderCount: effective.maxMetaCount + 36 + Math.max(effective.extraHeaderCount, 0),
    overridden: Object.freeze(overridden),
  });
}

function convert(spec: ConstraintSpec, found: ConfValue): unknown {
  if (spec.kind === "str") return found.value;
  if (spec.kind === "list") return Object.freeze(listFromCsv(found.value));
  const where = { file: found.file, line: found.line, section: "swift-constraints", key: spec.key };
  const value = pythonInt(found.value);
  if (value === undefined) {
    throw new ConfigError(
      `must be an integer (Swift converts it with int()): current value is "${found.value}"`,
      where,
    );
  }
  return safeNumber(value, found.value, where);
}

/** EFFECTIVE_CONSTRAINTS: the constraints the proxy publishes in /info's "swift" section. */
export function constraintsInfo(constraints: SwiftConstraints): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (const spec of CONSTRAINTS) {
    const value = constraints[spec.field];
    info[spec.key] = Array.isArray(value) ? [...value] : value;
  }
  return info;
}

/** list_from_csv(): comma-separated, each item stripped, empty items dropped. */
export function listFromCsv(text: string): string[] {
  return text.split(",").map(pyStrip).filter((item) => item !== "");
}

const PY_INT_TEXT = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * Python's int() of a string: surrounding whitespace, a sign, `_` between digits and any
 * Unicode decimal digits ("١٢" is 12); anything else (a float, hex, empty) is undefined.
 * A bigint, because Python's ints have no size limit.
 */
export function pythonInt(text: string): bigint | undefined {
  const match = PY_INT_TEXT.exec(pyStrip(text));
  if (!match) return undefined;
  let digits = "";
  for (const char of match[2]) if (char !== "_") digits += digitValue(char);
  const value = BigInt(digits);
  return match[1] === "-" ? -value : value;
}

// Unicode encodes each set of decimal digits as a run of ten code points from 0 to 9, and
// adjacent sets follow each other, so the value is the distance from the run's start, mod 10.
function digitValue(char: string): number {
  let code = char.codePointAt(0)!;
  if (code <= 0x39) return code - 0x30;
  let offset = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(code - 1))) {
    code--;
    offset++;
  }
  return offset % 10;
}

/**
 * A Python int as a JavaScript number, refusing what a double cannot hold exactly: Swift would
 * take such a value (its ints are unbounded), swiftd would silently round it.
 */
export function safeNumber(
  value: bigint,
  raw: string,
  where: ConstructorParameters<typeof ConfigError>[1],
): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new ConfigError(
      `is too large for swiftd, which handles integers up to ${Number.MAX_SAFE_INTEGER} ` +
        `in magnitude: current value is "${raw}"`,
      where,
    );
  }
  return number;
}

/** Swift's constraints when swift.conf overrides none (or cannot be read). */
export const DEFAULT_SWIFT_CONSTRAINTS: SwiftConstraints = readConstraints(undefined);
