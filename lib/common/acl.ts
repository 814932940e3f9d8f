/**
 * swift.common.middleware.acl of Swift 2.30: container ACLs (version 1: `X-Container-Read` /
 * `X-Container-Write`, groups and `.r:` referrer designations) and account ACLs (version 2:
 * JSON in `X-Account-Access-Control`), for tempauth and any other auth middleware.
 *
 * Values are compared as Swift compares them, so text handling follows Python: strip() is
 * Python's whitespace set, unquote() decodes ASCII runs only, and a referrer's host is what
 * urllib.parse.urlparse() finds (including the ValueError it raises on a broken IPv6 host,
 * which Swift lets through as a 500).
 *
 * @module
 */
import { pythonJsonLoads } from "./python_json.ts";
import { encodeUtf8 } from "./python_codecs.ts";
import { pythonFloatRepr } from "./python_float_repr.ts";
import { pyRepr } from "./python_repr.ts";

/** Raised by cleanAcl() on an ACL Swift refuses (its ValueError; the proxy answers 400). */
export class AclError extends Error {
  /** Builds the error; `message` is Swift's text. */
  constructor(message: string) {
    super(message);
    this.name = "AclError";
  }
}

/** What urllib.parse raises on a URL it cannot split (Swift turns it into a 500). */
export class UrlParseError extends Error {
  /** Builds the error; `message` is Python's text. */
  constructor(message: string) {
    super(message);
    this.name = "UrlParseError";
  }
}

/** A version 1 ACL: referrer designations (without `.r:`) and groups. */
export interface AclV1 {
  readonly referrers: string[];
  readonly groups: string[];
}

/** The account ACLs tempauth understands, as acls_from_account_info() returns them. */
export interface AccountAcls {
  readonly admin: unknown;
  readonly "read-write": unknown;
  readonly "read-only": unknown;
}

// str.strip() with no argument: every char for which str.isspace() is true.
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
  "\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

function pyStrip(text: string): string {
  return text.replace(PY_STRIP, "");
}

/** Python's str.split(sep, 1). */
function splitOnce(text: string, sep: string): [string, string] | [string] {
  const at = text.indexOf(sep);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + sep.length)];
}

const REFERRER_DESIGNATORS = new Set([".r", ".ref", ".referer", ".referrer"]);

/**
 * clean_acl(): the ACL header `name` with its value tidied (`bob , sue` -> `bob,sue`,
 * `.referrer:*` -> `.r:*`); throws AclError on a referrer in a write ACL, a referrer without
 * host, or an unknown `.designator`.
 */
export function cleanAcl(name: string, value: string): string {
  const header = name.toLowerCase();
  const values: string[] = [];
  for (const part of value.split(",")) {
    const raw = pyStrip(part);
    if (!raw) continue;
    if (!raw.includes(":")) {
      values.push(raw);
      continue;
    }
    const [rawFirst, rawSecond] = splitOnce(raw, ":") as [string, string];
    const first = pyStrip(rawFirst);
    let second = pyStrip(rawSecond);
    if (!first || !first.startsWith(".")) {
      values.push(raw);
    } else if (REFERRER_DESIGNATORS.has(first)) {
      if (header.includes("write")) {
        throw new AclError(`Referrers not allowed in write ACL: ${pyRepr(raw)}`);
      }
      let negate = false;
      if (second.startsWith("-")) {
        negate = true;
        second = pyStrip(second.slice(1));
      }
      if (second && second !== "*" && second.startsWith("*")) second = pyStrip(second.slice(1));
      if (!second || second === ".") {
        throw new AclError(
          `No host/domain value after referrer designation in ACL: ${pyRepr(raw)}`,
        );
      }
      values.push(`.r:${negate ? "-" : ""}${second}`);
    } else {
      throw new AclError(`Unknown designator ${pyRepr(first)} in ACL: ${pyRepr(raw)}`);
    }
  }
  return values.join(",");
}

/** format_acl_v1(): groups then `.r:` referrers, cleaned as `headerName` when given. */
export function formatAclV1(
  acl: { groups?: readonly string[]; referrers?: readonly string[]; headerName?: string } = {},
): string {
  const result = [...acl.groups ?? [], ...(acl.referrers ?? []).map((r) => `.r:${r}`)].join(",");
  return acl.headerName ? cleanAcl(acl.headerName, result) : result;
}

/** json.dumps(value, ensure_ascii=True, separators=(',', ':'), sort_keys=True). */
function compactJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") {
    // JSON.stringify escapes what Python does below U+0020; ensure_ascii escapes every UTF-16
    // unit from DEL up, which for astral chars is Python's surrogate pair.
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(compactJson).join(",")}]`;
  if (typeof value === "object") {
    // sort_keys orders by code point; JS's default sort would order by UTF-16 unit.
    const keys = Object.keys(value).sort((a, b) => {
      const x = [...a].map((c) => c.codePointAt(0)!);
      const y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    });
    const items = keys.map((k) => `${compactJson(k)}:${compactJson((value as never)[k])}`);
    return `{${items.join(",")}}`;
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

/** format_acl_v2(): the ACL dict as compact, key-sorted, ASCII-only JSON. */
export function formatAclV2(acl: Readonly<Record<string, unknown>>): string {
  return compactJson(acl);
}

/** format_acl(): version 1 (groups/referrers) or 2 (a dict) ACL text. */
export function formatAcl(
  version: 1 | 2,
  acl: {
    groups?: readonly string[];
    referrers?: readonly string[];
    headerName?: string;
    aclDict?: Readonly<Record<string, unknown>>;
  },
): string {
  if (version === 1) return formatAclV1(acl);
  if (version === 2) return formatAclV2(acl.aclDict ?? {});
  throw new RangeError(`Invalid ACL version: ${version}`);
}

const PERCENT_RUN = /%([0-9A-Fa-f]{2})/g;

/** urllib.parse.unquote(): each ASCII run decoded as UTF-8 (errors='replace'), the rest kept. */
function pyUnquote(text: string): string {
  if (!text.includes("%")) return text;
  // deno-lint-ignore no-control-regex -- Python splits on ASCII runs, control chars included
  return text.replace(/[\x00-\x7f]+/g, (run) => {
    if (!run.includes("%")) return run;
    const bytes: number[] = [];
    for (let i = 0; i < run.length; i++) {
      PERCENT_RUN.lastIndex = i;
      const match = run[i] === "%" ? PERCENT_RUN.exec(run) : null;
      if (match && match.index === i) {
        bytes.push(parseInt(match[1], 16));
        i += 2;
      } else bytes.push(run.charCodeAt(i));
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
  });
}

/** parse_acl_v1(): an `X-Container-Read`/`-Write` value as referrers and (unquoted) groups. */
export function parseAclV1(acl: string | null | undefined): AclV1 {
  const referrers: string[] = [];
  const groups: string[] = [];
  if (acl) {
    for (const value of acl.split(",")) {
      if (value.startsWith(".r:")) referrers.push(value.slice(3));
      else groups.push(pyUnquote(value));
    }
  }
  return { referrers, groups };
}

/**
 * parse_acl_v2(): the JSON object of an account ACL; undefined when `data` is absent, not
 * JSON or not an object; an empty object for "".
 */
export function parseAclV2(data: string | null | undefined): Record<string, unknown> | undefined {
  if (data === null || data === undefined) return undefined;
  if (data === "") return {};
  let result: unknown;
  try {
    // json.loads() of the str: JSON plus NaN/Infinity, exact ints; surrogatepass keeps the
    // lone surrogates a surrogateescape'd header may hold.
    result = pythonJsonLoads(encodeUtf8(data, "surrogatepass"));
  } catch {
    return undefined;
  }
  return typeof result === "object" && result !== null && !Array.isArray(result)
    ? result as Record<string, unknown>
    : undefined;
}

/** parse_acl(): version 1 (the default) or version 2 ACL text. */
export function parseAcl(data: string | null | undefined, version?: 1): AclV1;
export function parseAcl(
  data: string | null | undefined,
  version: 2,
): Record<string, unknown> | undefined;
export function parseAcl(
  data: string | null | undefined,
  version: 1 | 2 = 1,
): AclV1 | Record<string, unknown> | undefined {
  return version === 2 ? parseAclV2(data) : parseAclV1(data);
}

/** Python's truth value of a JSON value. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value) || typeof value === "string") return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  // NaN is true to Python.
  return Boolean(value) || Number.isNaN(value);
}

/**
 * acls_from_account_info(): the admin, read-write and read-only grantees stored in the
 * account's `core-access-control` sysmeta, or undefined when none is set.
 */
export function aclsFromAccountInfo(
  info: { readonly sysmeta?: Readonly<Record<string, unknown>> },
): AccountAcls | undefined {
  const stored = info.sysmeta?.["core-access-control"];
  const acl = parseAclV2(typeof stored === "string" ? stored : undefined);
  if (acl === undefined) return undefined;
  const get = (key: string) => Object.hasOwn(acl, key) ? acl[key] : [];
  const acls = {
    admin: get("admin"),
    "read-write": get("read-write"),
    "read-only": get("read-only"),
  };
  return Object.values(acls).some(truthy) ? acls : undefined;
}

/** Whether `host` is what ipaddress.IPv6Address() accepts (a zone id allowed). */
function isIpv6(host: string): boolean {
  const [address, zone] = splitOnce(host, "%");
  if (zone !== undefined && (!zone || zone.includes("%"))) return false;
  const parts = address.split(":");
  if (parts.length < 3) return false;
  if (parts.at(-1)!.includes(".")) {
    if (!isIpv4(parts.at(-1)!)) return false;
    parts.splice(-1, 1, "0", "0");
  }
  if (parts.length > 9) return false;
  // _ip_int_from_string(): at most one "::", which stands for at least one hextet.
  const skips = parts.slice(1, -1).flatMap((p, i) => p === "" ? [i + 1] : []);
  if (skips.length > 1) return false;
  let hi = parts.length;
  let lo = 0;
  if (skips.length === 1) {
    hi = skips[0];
    lo = parts.length - skips[0] - 1;
    if (!parts[0] && --hi) return false;
    if (!parts.at(-1) && --lo) return false;
    if (8 - (hi + lo) < 1) return false;
  } else if (parts.length !== 8 || !parts[0] || !parts.at(-1)) return false;
  const parsed = [...parts.slice(0, hi), ...parts.slice(parts.length - lo)];
  return parsed.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p));
}

/** ipaddress.IPv4Address(): four decimal octets, no leading zeros. */
function isIpv4(text: string): boolean {
  const octets = text.split(".");
  return octets.length === 4 &&
    octets.every((o) => /^(0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255);
}

/** urllib's _check_bracketed_netloc(): what a netloc holding "[" and "]" must look like. */
function checkBracketedNetloc(netloc: string): void {
  const hostAndPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  const open = hostAndPort.indexOf("[");
  let hostname: string;
  if (open >= 0) {
    if (open > 0) throw new UrlParseError("Invalid IPv6 URL");
    const [host, port = ""] = splitOnce(hostAndPort.slice(open + 1), "]");
    if (port && !port.startsWith(":")) throw new UrlParseError("Invalid IPv6 URL");
    hostname = host;
  } else {
    // The brackets were in the userinfo: Python still checks the host as a bracketed one.
    hostname = splitOnce(hostAndPort, ":")[0];
  }
  if (hostname.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(hostname)) {
      throw new UrlParseError("IPvFuture address is invalid");
    }
  } else if (!isIpv6(hostname)) {
    throw new UrlParseError(
      isIpv4(hostname)
        ? "An IPv4 address cannot be in brackets"
        : `${pyRepr(hostname)} does not appear to be an IPv4 or IPv6 address`,
    );
  }
}

/** urlparse(url).hostname of Python 3.11 (Debian's, with the bracketed host checks). */
export function urlHostname(url: string): string | undefined {
  // deno-lint-ignore no-control-regex -- _WHATWG_C0_CONTROL_OR_SPACE, stripped on the left
  let rest = url.replace(/^[\x00-\x20]+/, "").replace(/[\t\r\n]/g, "");
  const colon = rest.indexOf(":");
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+\-.]*$/.test(rest.slice(0, colon))) {
    rest = rest.slice(colon + 1);
  }
  if (!rest.startsWith("//")) return undefined;
  const end = rest.slice(2).search(/[/?#]/);
  const netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
  if (netloc.includes("[") !== netloc.includes("]")) throw new UrlParseError("Invalid IPv6 URL");
  if (netloc.includes("[")) checkBracketedNetloc(netloc);
  // /[^\x00-\x7f]/: _checknetloc() looks for chars that NFKC-normalize into URL delimiters.
  if ([...netloc].some((c) => c.charCodeAt(0) > 0x7f)) {
    const bare = netloc.replace(/[@:#?]/g, "");
    const normalized = bare.normalize("NFKC");
    if (normalized !== bare && /[/?#@:]/.test(normalized)) {
      throw new UrlParseError(
        `netloc '${netloc}' contains invalid characters under NFKC normalization`,
      );
    }
  }
  const hostinfo = netloc.slice(netloc.lastIndexOf("@") + 1);
  const open = hostinfo.indexOf("[");
  const hostname = open >= 0
    ? splitOnce(hostinfo.slice(open + 1), "]")[0]
    : splitOnce(hostinfo, ":")[0];
  if (!hostname) return undefined;
  const [name, zone] = splitOnce(hostname, "%");
  return zone === undefined ? name.toLowerCase() : `${name.toLowerCase()}%${zone}`;
}

/**
 * referrer_allowed(): whether the Referer header passes the ACL's referrer designations,
 * applied in order (`*`, a host, `.domain`, and `-` to deny). Throws UrlParseError where
 * Python's urlparse() raises.
 */
export function referrerAllowed(
  referrer: string | null | undefined,
  referrerAcl: readonly string[] | null | undefined,
): boolean {
  let allow = false;
  if (referrerAcl && referrerAcl.length > 0) {
    const rhost = urlHostname(referrer ?? "") ?? "unknown";
    for (let mhost of referrerAcl) {
      if (mhost.startsWith("-")) {
        mhost = mhost.slice(1);
        if (mhost === rhost || (mhost.startsWith(".") && rhost.endsWith(mhost))) allow = false;
      } else if (
        mhost === "*" || mhost === rhost || (mhost.startsWith(".") && rhost.endsWith(mhost))
      ) {
        allow = true;
      }
    }
  }
  return allow;
}
