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
import { LOG_LINE_DEFAULT_FORMAT } from "../config/options/object.ts";

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

/** datetime.strftime("%" + letter) of a UTC time in the C locale. */
function strftime(seconds: number, letter: string): string | undefined {
  const d = new Date(Math.floor(seconds) * 1000);
  const wday = d.getUTCDay();
  const yday = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000);
  const hour12 = d.getUTCHours() % 12 || 12;
  const table: Record<string, () => string> = {
    a: () => DAYS[wday].slice(0, 3),
    A: () => DAYS[wday],
    b: () => MONTHS[d.getUTCMonth()].slice(0, 3),
    B: () => MONTHS[d.getUTCMonth()],
    c: () => `${table.a()} ${table.b()} ${pad(d.getUTCDate(), 2, " ")} ${table.X()} ${table.Y()}`,
    d: () => pad(d.getUTCDate()),
    H: () => pad(d.getUTCHours()),
    I: () => pad(hour12),
    j: () => pad(yday + 1, 3),
    m: () => pad(d.getUTCMonth() + 1),
    M: () => pad(d.getUTCMinutes()),
    p: () => d.getUTCHours() < 12 ? "AM" : "PM",
    S: () => pad(d.getUTCSeconds()),
    U: () => pad(Math.floor((yday + 7 - wday) / 7)),
    w: () => String(wday),
    W: () => pad(Math.floor((yday + 7 - ((wday + 6) % 7)) / 7)),
    x: () => `${table.m()}/${table.d()}/${table.y()}`,
    X: () => `${table.H()}:${table.M()}:${table.S()}`,
    y: () => pad(d.getUTCFullYear() % 100),
    Y: () => String(d.getUTCFullYear()),
    Z: () => "UTC",
  };
  return table[letter]?.();
}

/** StrFormatTime's attributes: strftime letters and asctime/datetime/iso8601/ms/us/ns. */
function timeAttribute(seconds: number, attr: string): string {
  const fraction = seconds.toFixed(9).split(".")[1];
  switch (attr) {
    case "asctime":
      return strftime(seconds, "c")!;
    case "datetime":
      return ["d", "b", "Y", "H", "M", "S"].map((l) => strftime(seconds, l)).join("/");
    case "iso8601":
      return `${strftime(seconds, "Y")}-${strftime(seconds, "m")}-${strftime(seconds, "d")}T` +
        strftime(seconds, "X");
    case "ms":
      return fraction.slice(0, 3);
    case "us":
      return fraction.slice(0, 6);
    case "ns":
      return fraction;
  }
  const value = strftime(seconds, attr);
  if (value === undefined) {
    throw new RangeError(
      `The attribute ${attr} is not a correct directive for time.strftime formater.`,
    );
  }
  return value;
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

/** The access line of one request (get_log_line()). */
export function storageLogLine(fields: StorageLogFields, format: StorageLogFormat = {}): string {
  const method = format.anonymizationMethod ?? "md5";
  const salt = format.anonymizationSalt ?? "";
  const [disk, partition, account, container, object] = pathParts(fields.path);
  const anonymizable: Record<string, string | undefined> = {
    remote_addr: fields.remoteAddr,
    path: fields.path,
    account,
    container,
    object,
    referer: fields.referer,
    user_agent: fields.userAgent,
  };
  const plain: Record<string, string | number | undefined> = {
    method: fields.method,
    disk,
    partition,
    status: String(fields.status),
    content_length: fields.contentLength,
    txn_id: fields.txnId,
    trans_time: fields.transTime,
    additional_info: fields.additionalInfo,
    pid: fields.pid,
    policy_index: fields.policyIndex,
  };
  return (format.format ?? DEFAULT_STORAGE_LOG_FORMAT).replace(
    FIELD,
    (whole, name: string | undefined, spec = "") => {
      if (whole === "{{") return "{";
      if (whole === "}}") return "}";
      const [field, ...attrs] = name!.split(".");
      let value: string | number | undefined;
      if (field === "time") {
        value = attrs.length ? timeAttribute(fields.time, attrs[0]) : fields.time.toFixed(9);
      } else if (field in anonymizable) {
        value = anonymizable[field] ?? "";
        if (attrs[0] === "anonymized") value = anonymize(value, method, salt);
      } else if (field in plain) {
        value = plain[field];
      } else {
        throw new RangeError(`log_format names an unknown field: "${field}"`);
      }
      // LogStringFormatter(default='-'): whatever Python reads as false is shown as "-".
      return value ? formatValue(value, spec) : "-";
    },
  );
}

/** swob's Request.path of a URL: the path's bytes percent-quoted, "/" kept. */
export function requestPathOf(url: URL): string {
  const bytes: number[] = [];
  const text = url.pathname;
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
