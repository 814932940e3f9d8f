/**
 * The access line the account, container and object servers log per request when
 * log_requests is on (swift.common.utils.get_log_line() with LOG_LINE_DEFAULT_FORMAT):
 *
 *   remote_addr - - [dd/Mon/YYYY:HH:MM:SS +0000] "METHOD path" status content_length
 *   "referer" "txn_id" "user_agent" trans_time "additional_info" pid policy_index
 *
 * Any field that Python reads as false (absent, empty, 0) prints as "-". log_format may
 * rearrange the fields with Python's str.format syntax ({field}, {field.attr}, {field:.4f});
 * {time.X} takes a strftime directive letter and the name fields have an `.anonymized` form.
 */
import { createHash } from "node:crypto";
import { LOG_LINE_DEFAULT_FORMAT } from "../config/options/storage_server.ts";

/** Swift's LOG_LINE_DEFAULT_FORMAT (log_format's default in the option table). */
export const DEFAULT_STORAGE_LOG_FORMAT: string = LOG_LINE_DEFAULT_FORMAT;

/** What one access line reports. */
export interface StorageLogFields {
  /** REMOTE_ADDR: the client's address without port. */
  readonly remoteAddr: string;
  readonly method: string;
  /** swob's Request.path: the path percent-quoted, without the query string. */
  readonly path: string;
  readonly status: number;
  /** The response's Content-Length, when known. */
  readonly contentLength?: number;
  readonly referer?: string;
  /** The request's X-Trans-Id header. */
  readonly txnId?: string;
  readonly userAgent?: string;
  /** Seconds the request took until its response was ready. */
  readonly transTime: number;
  readonly additionalInfo?: string;
  readonly pid: number;
  /** X-Backend-Storage-Policy-Index of the response, else of the request. */
  readonly policyIndex?: string;
  /** When the line is written, in seconds since the epoch. */
  readonly time: number;
}

/** log_format and the anonymization settings (log_anonymization_method/_salt). */
export interface StorageLogFormat {
  readonly format?: string;
  /** A node:crypto hash name Python's hashlib also has: md5, sha1, sha256... */
  readonly anonymizationMethod?: string;
  readonly anonymizationSalt?: string;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
]; // deno-fmt-ignore

function pad(n: number, width = 2, fill = "0"): string {
  return String(n).padStart(width, fill);
}

/** datetime.strftime("%" + letter) of a UTC time (`d`, whole seconds) in the C locale. */
function strftime(d: Date, letter: string): string | undefined {
  switch (letter) {
    case "a":
      return DAYS[d.getUTCDay()].slice(0, 3);
    case "A":
      return DAYS[d.getUTCDay()];
    case "b":
      return MONTHS[d.getUTCMonth()].slice(0, 3);
    case "B":
      return MONTHS[d.getUTCMonth()];
    case "c":
      return `${strftime(d, "a")} ${strftime(d, "b")} ${pad(d.getUTCDate(), 2, " ")} ` +
        `${strftime(d, "X")} ${strftime(d, "Y")}`;
    case "d":
      return pad(d.getUTCDate());
    case "H":
      return pad(d.getUTCHours());
    case "I":
      return pad(d.getUTCHours() % 12 || 12);
    case "j":
      return pad(yearDay(d) + 1, 3);
    case "m":
      return pad(d.getUTCMonth() + 1);
    case "M":
      return pad(d.getUTCMinutes());
    case "p":
      return d.getUTCHours() < 12 ? "AM" : "PM";
    case "S":
      return pad(d.getUTCSeconds());
    case "U":
      return pad(Math.floor((yearDay(d) + 7 - d.getUTCDay()) / 7));
    case "w":
      return String(d.getUTCDay());
    case "W":
      return pad(Math.floor((yearDay(d) + 7 - ((d.getUTCDay() + 6) % 7)) / 7));
    case "x":
      return `${strftime(d, "m")}/${strftime(d, "d")}/${strftime(d, "y")}`;
    case "X":
      return `${strftime(d, "H")}:${strftime(d, "M")}:${strftime(d, "S")}`;
    case "y":
      return pad(d.getUTCFullYear() % 100);
    case "Y":
      return String(d.getUTCFullYear());
    case "Z":
      return "UTC";
  }
  return undefined;
}

/** Days since January 1st of `d`'s year. */
function yearDay(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000);
}

/** The attributes StrFormatTime has besides the strftime letters. */
const TIME_WORDS = new Set(["asctime", "datetime", "iso8601", "ms", "us", "ns"]);

/** StrFormatTime's attributes: strftime letters and asctime/datetime/iso8601/ms/us/ns. */
function timeAttribute(seconds: number, date: Date, attr: string): string {
  switch (attr) {
    case "asctime":
      return strftime(date, "c")!;
    case "datetime":
      return ["d", "b", "Y", "H", "M", "S"].map((l) => strftime(date, l)).join("/");
    case "iso8601":
      return `${strftime(date, "Y")}-${strftime(date, "m")}-${strftime(date, "d")}T` +
        strftime(date, "X");
    case "ms":
      return seconds.toFixed(9).split(".")[1].slice(0, 3);
    case "us":
      return seconds.toFixed(9).split(".")[1].slice(0, 6);
    case "ns":
      return seconds.toFixed(9).split(".")[1];
  }
  const value = strftime(date, attr);
  if (value === undefined) throw unknownTimeAttribute(attr);
  return value;
}

function unknownTimeAttribute(attr: string): RangeError {
  return new RangeError(
    `The attribute ${attr} is not a correct directive for time.strftime formater.`,
  );
}

/** StrAnonymizer.anonymized: "{METHOD}hex" or "{SMETHOD}hex" of salt + value. */
function anonymize(value: string, method: string, salt: string): string {
  if (!value) return value;
  const hash = createHash(method);
  // six.b() encodes as latin-1: one byte per character.
  if (salt) hash.update(Uint8Array.from(salt, (c) => c.charCodeAt(0) & 0xff));
  hash.update(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff));
  return `{${salt ? "S" : ""}${method.toUpperCase()}}${hash.digest("hex")}`;
}

/** The quoted path's parts as split_path(path, 0, 5, True) gives them. */
function pathParts(path: string): (string | undefined)[] {
  if (!path.startsWith("/")) return [];
  const segs = path.split("/");
  return [...segs.slice(1, 5), segs.length > 5 ? segs.slice(5).join("/") : undefined];
}

/** Python's format(value, spec) for the specs log lines use (floats and plain text). */
function formatValue(value: string | number, spec: string): string {
  const fixed = /^\.(\d+)f$/.exec(spec);
  if (fixed && typeof value === "number") return value.toFixed(Number(fixed[1]));
  return String(value);
}

const FIELD = /\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::([^{}]*))?\}/g;

const ANONYMIZABLE = new Set([
  "remote_addr",
  "path",
  "account",
  "container",
  "object",
  "referer",
  "user_agent",
]);
const PLAIN = new Set([
  "method",
  "disk",
  "partition",
  "status",
  "content_length",
  "txn_id",
  "trans_time",
  "additional_info",
  "pid",
  "policy_index",
]);

/** What the pieces of a compiled format read: one line's fields and derived values. */
interface LineValues {
  readonly fields: StorageLogFields;
  readonly method: string;
  readonly salt: string;
  readonly parts: readonly (string | undefined)[];
  /** The line's time in whole seconds, made by the first time field that needs it. */
  date?: Date;
}

/** A piece of a line: literal text, or a field's text. */
type Piece = string | ((line: LineValues) => string);

/** The raw value of a name field (before anonymization). */
function nameValue(line: LineValues, field: string): string | undefined {
  const { fields, parts } = line;
  switch (field) {
    case "remote_addr":
      return fields.remoteAddr;
    case "path":
      return fields.path;
    case "account":
      return parts[2];
    case "container":
      return parts[3];
    case "object":
      return parts[4];
    case "referer":
      return fields.referer;
    default:
      return fields.userAgent;
  }
}

function plainValue(line: LineValues, field: string): string | number | undefined {
  const { fields, parts } = line;
  switch (field) {
    case "method":
      return fields.method;
    case "disk":
      return parts[0];
    case "partition":
      return parts[1];
    case "status":
      return String(fields.status);
    case "content_length":
      return fields.contentLength;
    case "txn_id":
      return fields.txnId;
    case "trans_time":
      return fields.transTime;
    case "additional_info":
      return fields.additionalInfo;
    case "pid":
      return fields.pid;
    default:
      return fields.policyIndex;
  }
}

/** The piece that writes `{name:spec}`; throws RangeError for a field Swift does not know. */
function fieldPiece(name: string, spec: string): Piece {
  const [field, ...attrs] = name.split(".");
  let value: (line: LineValues) => string | number | undefined;
  if (field === "time") {
    const attr = attrs[0];
    if (attr === undefined) value = (line) => line.fields.time.toFixed(9);
    else {
      if (!TIME_WORDS.has(attr) && strftime(new Date(0), attr) === undefined) {
        throw unknownTimeAttribute(attr);
      }
      value = (line) => {
        line.date ??= new Date(Math.floor(line.fields.time) * 1000);
        return timeAttribute(line.fields.time, line.date, attr);
      };
    }
  } else if (ANONYMIZABLE.has(field)) {
    value = attrs[0] === "anonymized"
      ? (line) => anonymize(nameValue(line, field) ?? "", line.method, line.salt)
      : (line) => nameValue(line, field) ?? "";
  } else if (PLAIN.has(field)) {
    value = (line) => plainValue(line, field);
  } else {
    throw new RangeError(`log_format names an unknown field: "${field}"`);
  }
  // LogStringFormatter(default='-'): whatever Python reads as false is shown as "-".
  return (line) => {
    const text = value(line);
    return text ? formatValue(text, spec) : "-";
  };
}

/** log_format as pieces, parsed once per format (a server has one). */
const COMPILED = new Map<string, readonly Piece[]>();

function compile(format: string): readonly Piece[] {
  const known = COMPILED.get(format);
  if (known) return known;
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of format.matchAll(FIELD)) {
    if (match.index > at) pieces.push(format.slice(at, match.index));
    at = match.index + match[0].length;
    if (match[0] === "{{") pieces.push("{");
    else if (match[0] === "}}") pieces.push("}");
    else pieces.push(fieldPiece(match[1], match[2] ?? ""));
  }
  if (at < format.length) pieces.push(format.slice(at));
  if (COMPILED.size >= 64) COMPILED.clear();
  COMPILED.set(format, pieces);
  return pieces;
}

/** The access line of one request (get_log_line()). */
export function storageLogLine(fields: StorageLogFields, format: StorageLogFormat = {}): string {
  const pieces = compile(format.format ?? DEFAULT_STORAGE_LOG_FORMAT);
  const line: LineValues = {
    fields,
    method: format.anonymizationMethod ?? "md5",
    salt: format.anonymizationSalt ?? "",
    parts: pathParts(fields.path),
  };
  let out = "";
  for (const piece of pieces) out += typeof piece === "string" ? piece : piece(line);
  return out;
}

const QUOTE_SAFE_PATH = /^[A-Za-z0-9_.\-~/]*$/;

/** swob's Request.path of a URL: the path's bytes percent-quoted, "/" kept. */
export function requestPathOf(url: URL): string {
  const text = url.pathname;
  // Most paths have nothing to quote.
  if (QUOTE_SAFE_PATH.test(text)) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return bytes.map((b) =>
    /[A-Za-z0-9_.\-~/]/.test(String.fromCharCode(b)) && b < 0x80
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
  ).join("");
}

/** The fields of a served Fetch request and its response. */
export function storageLogFieldsOf(
  req: Request,
  res: Response,
  opts: {
    remoteAddr: string;
    transTime: number;
    additionalInfo?: string;
    time?: number;
    pid?: number;
  },
): StorageLogFields {
  const length = res.headers.get("Content-Length");
  const policyHeader = "X-Backend-Storage-Policy-Index";
  return {
    remoteAddr: opts.remoteAddr,
    method: req.method,
    path: requestPathOf(new URL(req.url)),
    status: res.status,
    contentLength: length === null ? undefined : Number(length),
    referer: req.headers.get("Referer") ?? undefined,
    txnId: req.headers.get("X-Trans-Id") ?? undefined,
    userAgent: req.headers.get("User-Agent") ?? undefined,
    transTime: opts.transTime,
    additionalInfo: opts.additionalInfo,
    pid: opts.pid ?? Deno.pid,
    policyIndex: res.headers.get(policyHeader) ?? req.headers.get(policyHeader) ?? undefined,
    time: opts.time ?? Date.now() / 1000,
  };
}
