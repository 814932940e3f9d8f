/**
 * log_msg_template: Python's str.format() over proxy_logging's fields, through Swift's
 * LogStringFormatter(default="-", quote=True): a field Python reads as false (None, "", 0)
 * prints "-", anything else is formatted with its spec and then quote()d with ":/{}" safe.
 *
 * Fields behave as Swift's objects do: start_time and end_time are StrFormatTime (`%.9f`
 * seconds; `.datetime`, `.iso8601`, `.asctime`, `.ms`, `.us`, `.ns`, `.s`, `.time` and
 * strftime letters such as `.Y`), the client and request fields are StrAnonymizer (with an
 * `.anonymized` form), and counters are ints. A template Swift would refuse at startup, or
 * that would fail on every request there, is refused when the filter is built.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { pythonFloatRepr } from "../../common/python_float_repr.ts";
import { pyRepr } from "../../common/python_repr.ts";
import { ANONYMIZATION_HASHES } from "../../config/options/proxy_logging.ts";
import {
  formatFloat,
  formatInt,
  formatText,
  parseSpec,
  pyFixed,
  swiftQuote,
} from "./python_text.ts";

/** The fields of one access line, typed as proxy_logging's replacements dict holds them. */
export interface LogFields {
  readonly end_time: number;
  readonly start_time: number;
  readonly client_ip?: string;
  readonly remote_addr?: string;
  readonly domain?: string;
  readonly path?: string;
  readonly referer?: string;
  readonly user_agent?: string;
  readonly headers?: string;
  readonly client_etag?: string;
  readonly account?: string;
  readonly container?: string;
  readonly object?: string;
  readonly method?: string;
  readonly protocol?: string;
  readonly status_int: number;
  readonly auth_token?: string;
  readonly bytes_recvd: number;
  readonly bytes_sent: number;
  readonly transaction_id?: string;
  readonly request_time: string;
  readonly source?: string;
  readonly log_info: string;
  readonly policy_index?: string;
  readonly ttfb: number;
  readonly pid: number;
  readonly wire_status_int: number;
}

type Kind = "time" | "anonymizable" | "text" | "int" | "float";

const KINDS: Readonly<Record<keyof LogFields, Kind>> = {
  end_time: "time",
  start_time: "time",
  client_ip: "anonymizable",
  remote_addr: "anonymizable",
  domain: "anonymizable",
  path: "anonymizable",
  referer: "anonymizable",
  user_agent: "anonymizable",
  headers: "anonymizable",
  client_etag: "anonymizable",
  account: "anonymizable",
  container: "anonymizable",
  object: "anonymizable",
  method: "text",
  protocol: "text",
  status_int: "int",
  auth_token: "text",
  bytes_recvd: "int",
  bytes_sent: "int",
  transaction_id: "text",
  request_time: "text",
  source: "text",
  log_info: "text",
  policy_index: "text",
  ttfb: "float",
  pid: "int",
  wire_status_int: "int",
};

/**
 * check_log_msg_template_validity()'s replacements: what Swift formats the template with at
 * startup (mostly strings, even for fields that are ints at run time).
 */
const CHECK_VALUES: Readonly<Record<keyof LogFields, number | string>> = {
  end_time: 1000001,
  start_time: 1000000,
  client_ip: "1.2.3.4",
  remote_addr: "4.3.2.1",
  domain: "",
  path: "/",
  referer: "ref",
  user_agent: "swift",
  headers: "header",
  client_etag: "etag",
  account: "a",
  container: "c",
  object: "",
  method: "GET",
  protocol: "",
  status_int: "0",
  auth_token: "1234...",
  bytes_recvd: "1",
  bytes_sent: "0",
  transaction_id: "tx1234",
  request_time: "0.05",
  source: "",
  log_info: "",
  policy_index: "",
  ttfb: "0.05",
  pid: "42",
  wire_status_int: "200",
};

/** Run-time samples of the fields that are not strings, to try their specs on. */
const RUNTIME_SAMPLES: Partial<Record<keyof LogFields, number>> = {
  status_int: 200,
  bytes_recvd: 1,
  bytes_sent: 1,
  pid: 42,
  wire_status_int: 200,
  ttfb: 0.05,
};

interface Field {
  readonly name: keyof LogFields;
  readonly attr?: string;
  readonly conversion?: "r" | "s";
  readonly spec: string;
}

type Part = string | Field;

const TIME_LETTERS = new Set("aAbBcdHIjmMpSUwWxXyYZ");
const TIME_PROPERTIES = new Set(["asctime", "datetime", "iso8601", "ms", "us", "ns", "s", "time"]);

/** A Python value after attribute lookup and conversion. */
type Value =
  | { readonly type: "time"; readonly seconds: number }
  | { readonly type: "str"; readonly text: string }
  | { readonly type: "none" }
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "float"; readonly value: number };

/** A compiled log_msg_template. */
export class LogTemplate {
  readonly #parts: readonly Part[];
  readonly #hash: string;
  readonly #salt: string;
  readonly #method: string;

  /** Compiles `template`; throws "Cannot interpolate log_msg_template: ..." where Swift would. */
  constructor(template: string, anonymization: { method: string; salt: string }) {
    this.#method = anonymization.method;
    this.#hash = ANONYMIZATION_HASHES[anonymization.method];
    this.#salt = anonymization.salt;
    try {
      this.#parts = parseTemplate(template);
      this.#format((name) => CHECK_VALUES[name]);
      for (const part of this.#parts) {
        if (typeof part === "string" || !(part.name in RUNTIME_SAMPLES)) continue;
        this.#field(part, RUNTIME_SAMPLES[part.name]!);
      }
    } catch (err) {
      throw new Error(`Cannot interpolate log_msg_template: ${(err as Error).message}`);
    }
  }

  /** The access line for `fields`. */
  format(fields: LogFields): string {
    return this.#format((name) => fields[name]);
  }

  #format(lookup: (name: keyof LogFields) => string | number | undefined): string {
    return this.#parts.map((part) =>
      typeof part === "string" ? part : this.#field(part, lookup(part.name))
    ).join("");
  }

  #field(field: Field, raw: string | number | undefined): string {
    const value = convert(this.#lookup(field, raw), field.conversion);
    if (isFalse(value)) return "-";
    return swiftQuote(formatValue(value, field.spec));
  }

  /** The object `{name.attr}` names, as a Python value. */
  #lookup(field: Field, raw: string | number | undefined): Value {
    const kind = KINDS[field.name];
    if (kind === "time") {
      const seconds = raw as number;
      if (field.attr === undefined) return { type: "time", seconds };
      if (field.attr === "time") return { type: "float", value: seconds };
      return { type: "str", text: timeAttribute(seconds, field.attr) };
    }
    if (field.attr !== undefined && !(kind === "anonymizable" && field.attr === "anonymized")) {
      throw new RangeError(`'${field.name}' has no attribute '${field.attr}' swiftd can log`);
    }
    if (raw === undefined) {
      return kind === "anonymizable" ? { type: "str", text: "" } : { type: "none" };
    }
    if (typeof raw === "number") {
      return kind === "float" ? { type: "float", value: raw } : { type: "int", value: raw };
    }
    if (field.attr === "anonymized") return { type: "str", text: this.#anonymize(raw) };
    return { type: "str", text: raw };
  }

  /** StrAnonymizer.anonymized: "{METHOD}hex" or "{SMETHOD}hex" of salt + value. */
  #anonymize(text: string): string {
    if (!text) return text;
    const hash = createHash(this.#hash);
    // six.b() encodes as latin-1: WSGI strings hold one byte per character.
    if (this.#salt) hash.update(Uint8Array.from(this.#salt, (c) => c.charCodeAt(0) & 0xff));
    hash.update(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff));
    return `{${this.#salt ? "S" : ""}${this.#method.toUpperCase()}}${hash.digest("hex")}`;
  }
}

/** Python's truth value: None, "", 0 and 0.0 are false; a StrFormatTime is always true. */
function isFalse(value: Value): boolean {
  if (value.type === "none") return true;
  if (value.type === "str") return value.text === "";
  if (value.type === "int" || value.type === "float") return value.value === 0;
  return false;
}

/** `!s` and `!r`. */
function convert(value: Value, conversion: "r" | "s" | undefined): Value {
  if (!conversion) return value;
  switch (value.type) {
    case "none":
      return { type: "str", text: "None" };
    case "int":
      return { type: "str", text: String(value.value) };
    case "float":
      return { type: "str", text: pythonFloatRepr(value.value) };
    case "str":
      return { type: "str", text: conversion === "r" ? pyRepr(value.text) : value.text };
    case "time":
      if (conversion === "s") return { type: "str", text: pyFixed(value.seconds, 9) };
      throw new RangeError("repr() of a StrFormatTime names a memory address");
  }
}

/** format(value, spec). */
function formatValue(value: Value, spec: string): string {
  switch (value.type) {
    case "time":
      if (spec !== "") {
        throw new TypeError("unsupported format string passed to StrFormatTime.__format__");
      }
      return pyFixed(value.seconds, 9);
    case "str":
      return spec === "" ? value.text : formatText(value.text, parseSpec(spec));
    case "int":
      return spec === "" ? String(value.value) : formatInt(value.value, parseSpec(spec));
    case "float":
      return spec === ""
        ? pythonFloatRepr(value.value)
        : formatFloat(value.value, parseSpec(spec), pythonFloatRepr);
    case "none":
      return "None";
  }
}

/** string.Formatter's parse() of a template with named fields only. */
function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "}") {
      if (template[i + 1] !== "}") throw new RangeError("Single '}' encountered in format string");
      literal += "}";
      i++;
    } else if (c !== "{") {
      literal += c;
    } else if (template[i + 1] === "{") {
      literal += "{";
      i++;
    } else {
      const end = template.indexOf("}", i);
      if (end < 0) throw new RangeError("expected '}' before end of string");
      const body = template.slice(i + 1, end);
      if (body.includes("{")) throw new RangeError("nested replacement fields are not supported");
      if (literal) parts.push(literal);
      literal = "";
      parts.push(parseField(body));
      i = end;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

const FIELD = /^([^.![:]*)(?:\.([^.![:]+))?(?:!([^:]*))?(?::(.*))?$/s;

function parseField(body: string): Field {
  const m = FIELD.exec(body);
  if (!m) throw new RangeError(`cannot log the field {${body}}`);
  const [, name, attr, conversion, spec = ""] = m;
  if (name === "" || /^\d+$/.test(name)) {
    throw new RangeError("Replacement index 0 out of range for positional args tuple");
  }
  if (!(name in KINDS)) throw new RangeError(pyRepr(name));
  if (conversion !== undefined && conversion !== "r" && conversion !== "s") {
    throw new RangeError(`Unknown conversion specifier ${conversion}`);
  }
  if (KINDS[name as keyof LogFields] === "time" && attr !== undefined) {
    if (!TIME_LETTERS.has(attr) && !TIME_PROPERTIES.has(attr)) {
      throw new RangeError(
        `The attribute ${attr} is not a correct directive for time.strftime formater.`,
      );
    }
  }
  return { name: name as keyof LogFields, attr, conversion: conversion as "r" | "s", spec };
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

const two = (n: number, fill = "0") => String(n).padStart(2, fill);

/** StrFormatTime's attributes of a time in seconds (UTC, C locale). */
function timeAttribute(seconds: number, attr: string): string {
  const fraction = pyFixed(seconds, 9).split(".")[1];
  const d = new Date(Math.floor(seconds) * 1000);
  const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
  const [hour, minute, second, wday] = [
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCDay(),
  ];
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000);
  const clock = `${two(hour)}:${two(minute)}:${two(second)}`;
  const asctime = `${DAYS[wday].slice(0, 3)} ${MONTHS[month].slice(0, 3)} ${
    two(day, " ")
  } ${clock} ${year}`;
  const table: Record<string, () => string> = {
    asctime: () => asctime,
    datetime: () =>
      `${two(day)}/${MONTHS[month].slice(0, 3)}/${year}/${two(hour)}/${two(minute)}/${two(second)}`,
    iso8601: () => `${year}-${two(month + 1)}-${two(day)}T${clock}`,
    ms: () => fraction.slice(0, 3),
    us: () => fraction.slice(0, 6),
    ns: () => fraction,
    s: () => pyFixed(seconds, 9).split(".")[0],
    a: () => DAYS[wday].slice(0, 3),
    A: () => DAYS[wday],
    b: () => MONTHS[month].slice(0, 3),
    B: () => MONTHS[month],
    c: () => asctime,
    d: () => two(day),
    H: () => two(hour),
    I: () => two(hour % 12 || 12),
    j: () => String(yday + 1).padStart(3, "0"),
    m: () => two(month + 1),
    M: () => two(minute),
    p: () => (hour < 12 ? "AM" : "PM"),
    S: () => two(second),
    U: () => two(Math.floor((yday + 7 - wday) / 7)),
    w: () => String(wday),
    W: () => two(Math.floor((yday + 7 - ((wday + 6) % 7)) / 7)),
    x: () => `${two(month + 1)}/${two(day)}/${two(year % 100)}`,
    X: () => clock,
    y: () => two(year % 100),
    Y: () => String(year),
    Z: () => "UTC",
  };
  return table[attr]();
}
