/**
 * What symlink does to container listings (SymlinkContainerContext): a symlink is stored with
 * its target in the listing's `hash` (`<md5>; symlink_target=c/o; symlink_target_account=a;
 * symlink_target_etag=...; symlink_target_bytes=...`, written as the container update's
 * override etag), and a JSON listing shows those parameters as `symlink_path` (the full
 * /v1/account/container/object), `symlink_etag` and `symlink_bytes`, leaving `hash` as the
 * plain etag plus any other parameter (an SLO's `slo_etag`).
 *
 * Listings are read and written with Python's json module rules (pythonJsonLoadsExact/pythonJsonDumps),
 * so that keys keep their order and non-ASCII names their \u escapes.
 */
import { type PyJson, pythonJsonDumps, pythonJsonLoadsExact } from "../../common/python_json.ts";

/** A listing entry, keys in order. */
export type ListingItem = Map<string, PyJson>;

/** cgi._parseparam(): the ";"-separated parts, a quoted ";" kept inside its part. */
function parseParams(s: string): string[] {
  const out: string[] = [];
  while (s.startsWith(";")) {
    s = s.slice(1);
    let end = s.indexOf(";");
    const quotes = (to: number) => count(s.slice(0, to), '"') - count(s.slice(0, to), '\\"');
    while (end > 0 && quotes(end) % 2) end = s.indexOf(";", end + 1);
    if (end < 0) end = s.length;
    out.push(pyStrip(s.slice(0, end)));
    s = s.slice(end);
  }
  return out;
}

function count(text: string, sub: string): number {
  return text.split(sub).length - 1;
}

/** str.strip(): Python's whitespace (which includes the separators \x1c-\x1f). */
// deno-lint-ignore no-control-regex
const PY_SPACE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu;

function pyStrip(text: string): string {
  return text.replace(PY_SPACE, "");
}

/** cgi.parse_header(): the value and its parameters (names lower-cased, quotes removed). */
export function parseHeader(line: string): [string, Map<string, string>] {
  const [key, ...parts] = parseParams(";" + line);
  const params = new Map<string, string>();
  for (const p of parts) {
    const i = p.indexOf("=");
    if (i < 0) continue;
    const name = pyStrip(p.slice(0, i)).toLowerCase();
    let value = pyStrip(p.slice(i + 1));
    if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') {
      value = value.slice(1, -1).replaceAll("\\\\", "\\").replaceAll('\\"', '"');
    }
    params.set(name, value);
  }
  return [key, params];
}

/** os.path.join("/", ...parts) for parts without leading slashes except maybe the last. */
export function joinPath(...parts: string[]): string {
  let out = "";
  for (const part of parts) {
    if (part.startsWith("/")) out = part;
    else if (out === "" || out.endsWith("/")) out += part;
    else out += `/${part}`;
  }
  return out;
}

/** Python's int() of a listing parameter; throws (a 500 in Swift) when it is not one. */
function pyInt(text: string): number | bigint {
  const trimmed = pyStrip(text);
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) {
    throw new Error(`invalid literal for int() with base 10: '${text}'`);
  }
  const value = BigInt(trimmed.replaceAll("_", ""));
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** _extract_symlink_path_json(): one entry with its symlink parameters moved out of `hash`. */
function extractSymlinkPath(item: PyJson, version: string, account: string): PyJson {
  if (!(item instanceof Map) || !item.has("hash")) return item;
  const [hash, meta] = parseHeader(String(item.get("hash")));
  let newHash = hash;
  let target: string | undefined;
  for (const [key, value] of meta) {
    if (key === "symlink_target") target = value;
    else if (key === "symlink_target_account") account = value;
    else if (key === "symlink_target_etag") item.set("symlink_etag", value);
    else if (key === "symlink_target_bytes") item.set("symlink_bytes", pyInt(value));
    else newHash += `; ${key}=${value}`;
  }
  item.set("hash", newHash);
  if (target) item.set("symlink_path", joinPath("/", version, account, target));
  return item;
}

/**
 * _process_json_resp(): the listing body with symlink entries rewritten; `version` and
 * `account` come from the quoted request path. Throws on a body that is not JSON (Swift's
 * ValueError, a 500).
 */
export function rewriteListing(body: Uint8Array, version: string, account: string): Uint8Array {
  const listing = pythonJsonLoadsExact(new TextDecoder().decode(body));
  if (!Array.isArray(listing)) throw new TypeError("Container listing is not a JSON list");
  const out = listing.map((item) => extractSymlinkPath(item, version, account));
  return new TextEncoder().encode(pythonJsonDumps(out));
}
