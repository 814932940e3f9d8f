/**
 * The memcached text protocol as Swift's MemcacheRing speaks it, and its value encoding: the
 * command framing, reply parsing with Python's int()/split() rules, how values become bytes
 * and flags (and back), and the texts of its log lines.
 *
 * @module
 */
import { decodeLatin1, decodeUtf8, encodeUtf8 } from "../python_codecs.ts";
import { pythonFloatRepr } from "../python_float_repr.ts";
import { pythonJsonDumps, pythonJsonLoads } from "../python_json.ts";

/** Flag of pickled values; Swift 2.30 reads them as misses, and so does swiftd. */
export const PICKLE_FLAG = 1;
/** Flag of JSON-serialized values. */
export const JSON_FLAG = 2;

/** A value a raw (serialize: false) set() stores: bytes, or text Swift would str(). */
export type RawValue = Uint8Array | string | number | bigint | boolean | null;

/** Raised when no server could serve a command (incr, or set/get with raiseOnError). */
export class MemcacheConnectionError extends Error {
  /** Builds the error; `message` is Swift's text. */
  constructor(message: string) {
    super(message);
    this.name = "MemcacheConnectionError";
  }
}

/** Encodes protocol text (ASCII). */
export const ASCII = new TextEncoder();
const CRLF = ASCII.encode("\r\n");

/** Joins byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** sanitize_timeout(): more than 30 days is an absolute expiry (memcached's rule). */
export function sanitizeTimeout(time: number, now: number): number {
  return Math.trunc(time > 30 * 24 * 60 * 60 ? time + now : time);
}

/** set_msg(): `set KEY FLAGS TIMEOUT LEN\r\nVALUE\r\n`. */
export function setMsg(key: string, flags: number, timeout: number, value: Uint8Array): Uint8Array {
  return concat(ASCII.encode(`set ${key} ${flags} ${timeout} ${value.length}\r\n`), value, CRLF);
}

/** `line.strip()` of a reply line, as text (bytes whitespace only). */
export function stripped(line: Uint8Array): string {
  return decodeLatin1(line).replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, "");
}

/** `line.strip().split()` of a reply line (bytes whitespace only). */
export function words(line: Uint8Array): string[] {
  return decodeLatin1(line).split(/[ \t\n\r\v\f]+/).filter(Boolean);
}

/** line[index], with IndexError's text when the reply is short. */
export function field(line: readonly string[], index: number): string {
  if (index >= line.length) throw new RangeError("list index out of range");
  return line[index];
}

/** int() of a reply field (Python's ValueError text when it is not a number). */
export function pyInt(text: string): number {
  if (!/^[+-]?[0-9]+(_[0-9]+)*$/.test(text)) {
    throw new TypeError(`invalid literal for int() with base 10: b'${text}'`);
  }
  return Number(text.replaceAll("_", ""));
}

/** swift.common.utils.human_readable(). */
export function humanReadable(value: number): string {
  const suffixes = "KMGTPEZY";
  let index = -1;
  while (value >= 1024 && index + 1 < suffixes.length) {
    index++;
    value = roundHalfEven(value / 1024);
  }
  return index === -1 ? String(Math.trunc(value)) : `${roundHalfEven(value)}${suffixes[index]}i`;
}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** str(value).encode('utf-8') for set(serialize=False) of a non-bytes value. */
export function rawBytes(value: RawValue): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return encodeUtf8(value);
  if (typeof value === "boolean") return ASCII.encode(value ? "True" : "False");
  if (value === null) return ASCII.encode("None");
  if (typeof value === "bigint") return ASCII.encode(value.toString());
  // A safe integer is an int, anything else a float (pythonJsonDumps()'s rule).
  return ASCII.encode(Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value));
}

/** Serializes like Swift: bytes are decoded as UTF-8 first, then json.dumps(). */
export function jsonBytes(value: unknown): Uint8Array {
  return ASCII.encode(pythonJsonDumps(value instanceof Uint8Array ? decodeUtf8(value) : value));
}

/** A value read with its flags, decoded as Swift's get() decodes it. */
export function decodeValue(data: Uint8Array, flags: number): unknown {
  let value: unknown = data;
  if (flags & PICKLE_FLAG) value = null;
  if (flags & JSON_FLAG) {
    // Swift runs json.loads(None) on a value flagged both ways, which raises.
    if (value === null) {
      throw new TypeError("the JSON object must be str, bytes or bytearray, not NoneType");
    }
    value = pythonJsonLoads(data);
  }
  return value;
}

const LOOKUP_ERRNO: Readonly<Record<string, number>> = {
  "Name or service not known": -2,
  "Temporary failure in name resolution": -3,
  "No address associated with hostname": -5,
};

/**
 * The text Python gives a socket error, or undefined for errors Swift logs with a traceback.
 * eventlet's green connect() names the errno (`[Errno 111] ECONNREFUSED`); reads and writes
 * give the strerror (`[Errno 104] Connection reset by peer`).
 */
export function socketErrorText(err: unknown, action: string): string | undefined {
  if (err instanceof MemcacheConnectionError) return err.message;
  if (!(err instanceof Error)) return undefined;
  const lookup = /^failed to lookup address information: (.*)$/s.exec(err.message);
  if (lookup) return `[Errno ${LOOKUP_ERRNO[lookup[1]] ?? -2}] ${lookup[1]}`;
  const isDenoError = Object.values(Deno.errors).some((type) => err instanceof type);
  if (!isDenoError) return undefined;
  const os = /^(.*) \(os error (\d+)\)$/s.exec(err.message);
  if (!os) return err.message;
  const code = (err as { code?: unknown }).code;
  if (action === "connecting" && typeof code === "string") return `[Errno ${os[2]}] ${code}`;
  return `[Errno ${os[2]}] ${os[1]}`;
}
