/**
 * slo.parse_and_validate_input(): the manifest a client PUTs, checked segment by segment. Every
 * problem is reported at once, one "Index N: ..." line each, in a 400 text/plain body.
 *
 * A segment missing both "path" and "data" makes Swift 2.30 itself fail with a TypeError
 * (it joins str with bytes while building the message), so the client gets a 500; swiftd
 * throws the same way rather than invent the message Swift meant to send.
 */
import { type JsonValue, pythonJsonDumps, pythonJsonLoads } from "../../common/python_json.ts";
import { parseRange, rangesForLength, type RangeSpec } from "../../object/ranges.ts";
import { SwobError } from "../../object/swob_status.ts";
import { pyInt, pyQuote } from "../../object/wsgi_text.ts";
import { splitPathOrUndefined } from "../segments/swob.ts";

/** A validated object-backed segment as the client gave it. */
export interface PathSegmentInput {
  readonly path: string;
  readonly etag?: string | null;
  readonly sizeBytes?: number | null;
  /** The one range asked for, as swob parsed it. */
  range?: RangeSpec;
}

/** A validated data segment, base64 with its padding normalised. */
export interface DataSegmentInput {
  readonly data: string;
}

/** One validated segment. */
export type SegmentInput = PathSegmentInput | DataSegmentInput;

const REQUIRED: Record<string, readonly string[]> = {
  data: [],
  path: ["range", "etag", "size_bytes"],
};

const B64_ALPHABET = /^[A-Za-z0-9+/]*$/;
const B64_VALUE: Record<string, number> = Object.fromEntries(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]),
);

/** binascii.a2b_base64() without strict mode: stops at a complete pad, else needs whole quads. */
function b64decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  for (const char of text) {
    if (char === "=") {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const value = B64_VALUE[char];
    if (value === undefined) continue;
    pads = 0;
    if (quadPos === 0) {
      leftChar = value;
    } else if (quadPos === 1) {
      out.push((leftChar << 2) | (value >> 4));
      leftChar = value & 0x0f;
    } else if (quadPos === 2) {
      out.push((leftChar << 4) | (value >> 2));
      leftChar = value & 0x03;
    } else {
      out.push((leftChar << 6) | value);
    }
    quadPos = (quadPos + 1) % 4;
  }
  return quadPos === 0 ? Uint8Array.from(out) : undefined;
}

/** swift.common.utils.strict_b64decode(); undefined where it raises ValueError. */
export function strictB64decode(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  if (!B64_ALPHABET.test(value.replace(/^=+|=+$/g, ""))) return undefined;
  return b64decode(value);
}

/** base64.b64encode(). */
export function b64encode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** int(value) for a JSON value; undefined where Python raises TypeError or ValueError. */
function pyIntOf(value: JsonValue): number | undefined {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return undefined;
    // int(inf) raises OverflowError, which Swift does not catch.
    if (!Number.isFinite(value)) throw new RangeError("cannot convert float infinity to integer");
    return Math.trunc(value);
  }
  if (typeof value === "string") return pyInt(value);
  return undefined;
}

/** Python's `'data' in item` for a non-dict item of the manifest list. */
function containsData(item: JsonValue): boolean {
  if (typeof item === "string") return item.includes("data");
  if (Array.isArray(item)) return item.includes("data");
  if (item !== null && typeof item === "object") return "data" in item;
  throw new TypeError(`argument of type '${typeof item}' is not iterable`);
}

function isDict(item: JsonValue): item is { [key: string]: JsonValue } {
  return item !== null && typeof item === "object" && !Array.isArray(item) &&
    typeof item !== "bigint";
}

/**
 * The validated manifest; throws SwobError(400) listing every problem. `reqPath` is the
 * manifest's quoted path (wsgi_to_str(req.path)).
 */
export function parseAndValidateInput(body: Uint8Array, reqPath: string): SegmentInput[] {
  let parsed: JsonValue;
  try {
    parsed = pythonJsonLoads(body);
  } catch {
    throw new SwobError(400, { body: "Manifest must be valid JSON.\n" });
  }
  if (!Array.isArray(parsed)) throw new SwobError(400, { body: "Manifest must be a list.\n" });
  const [version, account] = splitPathOrUndefined(reqPath, 3, 3, true)!;
  const errors: string[] = [];
  const out: SegmentInput[] = [];
  parsed.forEach((item, index) => {
    const error = (message: string) => errors.push(`Index ${index}: ${message}`);
    if (!isDict(item)) return error("not a JSON object");
    const type = Object.keys(REQUIRED).find((key) => key in item);
    if (type === undefined) {
      throw new TypeError("sequence item 0: expected a bytes-like object, str found");
    }
    const allowed = new Set([type, ...REQUIRED[type]]);
    const extraneous = Object.keys(item).filter((key) => !allowed.has(key));
    if (extraneous.length) {
      extraneous.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      return error(`extraneous keys ${extraneous.map((key) => pythonJsonDumps(key)).join(", ")}`);
    }
    if (type === "path") {
      const path = item.path;
      if (typeof path !== "string") return error('"path" must be a string');
      const etag = item.etag;
      if (!(etag === undefined || etag === null || typeof etag === "string")) {
        return error('"etag" must be a string or null (if provided)');
      }
      if (!path.replace(/^\/+|\/+$/g, "").includes("/")) {
        return error(
          "path does not refer to an object. Path must be of the form /container/object.",
        );
      }
      let size: number | undefined;
      if (item.size_bytes !== undefined && item.size_bytes !== null) {
        size = pyIntOf(item.size_bytes);
        if (size === undefined) return error("invalid size_bytes");
        if (size < 1 && index !== parsed.length - 1) {
          return error("too small; each segment must be at least 1 byte.");
        }
      }
      if (`/${version}/${account}/${pyQuote(path.replace(/^\/+/, ""))}` === reqPath) {
        return error("manifest must not include itself as a segment");
      }
      const segment: PathSegmentInput = {
        path,
        etag: etag as string | null | undefined,
        sizeBytes: size,
      };
      const range = item.range;
      if (range !== undefined && range !== null && range !== "" && range !== false && range !== 0) {
        const specs = parseRange(`bytes=${pyStrOf(range)}`);
        if (!specs) return error("invalid range");
        if (specs.length > 1) return error("multiple ranges (only one allowed)");
        if (size !== undefined && rangesForLength(specs, size).length !== 1) {
          return error("unsatisfiable range");
        }
        segment.range = specs[0];
      }
      out[index] = segment;
    } else {
      const data = strictB64decode(item.data);
      if (!data) return error("data must be valid base64");
      if (data.length < 1) return error("too small; each segment must be at least 1 byte.");
      out[index] = { data: b64encode(data) };
    }
  });
  if (parsed.length && parsed.every(containsData)) {
    errors.push("Inline data segments require at least one object-backed segment.");
  }
  if (errors.length) {
    throw new SwobError(400, {
      body: errors.map((e) => e + "\n").join(""),
      headers: { "Content-Type": "text/plain" },
    });
  }
  return out;
}

/** Python's '%s' % value for the JSON scalars a range could be. */
function pyStrOf(value: JsonValue): string {
  if (value === true) return "True";
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    return String(value);
  }
  return pythonJsonDumps(value);
}
