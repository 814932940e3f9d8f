/**
 * A partition's suffix-hash cache as Swift 2.30 keeps it: `hashes.pkl` (a protocol-2 pickle of
 * {suffix: md5 hex or None, "valid": bool, "updated": float}) and `hashes.invalid` (one suffix
 * per line, appended by every write in the partition and folded into hashes.pkl by the next
 * get_hashes()). read_hashes(), write_hashes(), consolidate_hashes() and invalidate_hash()
 * of swift/obj/diskfile.py, under the same `.lock` so Swift's replicator can share the files.
 *
 * @module
 */
import { basename, dirname, join } from "@std/path";
import { loadPickle, type PickleValue, PyFloat } from "../common/pickle.ts";
import { errorCode, writePickle } from "./disk_fs.ts";
import { lockPath, tryLockPathSync } from "./disk_lock.ts";

/** The cache file, in the partition directory. */
export const HASH_FILE = "hashes.pkl";
/** The invalidation log, in the partition directory. */
export const HASH_INVALIDATIONS_FILE = "hashes.invalid";

/**
 * hashes.pkl's dict, in its key order: suffixes to md5 hex (null = to be recomputed), plus
 * "valid" (boolean) and "updated" (a PyFloat, or -1 when absent).
 */
export type Hashes = Map<string, PickleValue>;

/** valid_suffix(): three lower-case hex digits. */
export function validSuffix(value: unknown): boolean {
  return typeof value === "string" && /^[0-9a-f]{3}$/.test(value);
}

/**
 * read_hashes(): the cache of `partitionDir`; {"valid": false} when it is missing, unreadable,
 * not a pickle or has a key that is neither a suffix nor "valid"/"updated".
 */
export async function readHashes(partitionDir: string): Promise<Hashes> {
  let loaded: PickleValue = new Map([["valid", false]]);
  try {
    const bytes = await Deno.readFile(join(partitionDir, HASH_FILE));
    try {
      loaded = loadPickle(bytes, { exactFloats: true });
    } catch {
      // A corrupt hashes.pkl is simply invalid: the next get_hashes() rebuilds it.
    }
  } catch {
    // Missing or unreadable: invalid as well.
  }
  if (!(loaded instanceof Map)) return new Map([["valid", false]]);
  for (const key of loaded.keys()) {
    if (!(validSuffix(key) || key === "valid" || key === "updated")) {
      return new Map([["valid", false]]);
    }
  }
  const hashes = loaded as Hashes;
  if (!hashes.has("valid")) hashes.set("valid", true);
  if (!hashes.has("updated")) hashes.set("updated", -1);
  return hashes;
}

/** write_hashes(): stamps "updated" with the time and rewrites hashes.pkl atomically. */
export async function writeHashes(partitionDir: string, hashes: Hashes): Promise<void> {
  if (!hashes.has("valid")) hashes.set("valid", false);
  hashes.set("updated", new PyFloat(Date.now() / 1000));
  await writePickle(hashes, join(partitionDir, HASH_FILE), partitionDir, 2);
}

/** Python's `==` of two read_hashes() dicts (floats by value, key order ignored). */
export function sameHashes(a: Hashes, b: Hashes): boolean {
  if (a.size !== b.size) return false;
  const plain = (v: PickleValue | undefined) => v instanceof PyFloat ? v.value : v;
  for (const [key, value] of a) {
    if (!b.has(key) || plain(value) !== plain(b.get(key))) return false;
  }
  return true;
}

/**
 * consolidate_hashes(): reads hashes.pkl, marks every suffix listed in hashes.invalid as to
 * be recomputed, writes the result back and empties hashes.invalid, all under the lock.
 */
export async function consolidateHashes(partitionDir: string): Promise<Hashes> {
  using _lock = await lockPath(partitionDir);
  const hashes = await readHashes(partitionDir);
  const invalidations = join(partitionDir, HASH_INVALIDATIONS_FILE);
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(invalidations);
  } catch (err) {
    if (errorCode(err) !== "ENOENT") throw err;
  }
  const lines = text ? text.split(/(?<=\n)/) : [];
  for (const line of lines) hashes.set(line.trim(), null);
  if (lines.length) {
    await writeHashes(partitionDir, hashes);
    // Every invalidation is in hashes.pkl now, so the log can start over.
    await Deno.writeFile(invalidations, new Uint8Array());
  }
  return hashes;
}

/**
 * invalidate_hash(): appends the suffix of `suffixDir` to its partition's hashes.invalid.
 * Every write of a partition takes its lock: the append is done without yielding, so the
 * lock is held for microseconds and other requests of this worker never wait for it.
 */
export async function invalidateHash(suffixDir: string): Promise<void> {
  const partitionDir = dirname(suffixDir);
  const path = join(partitionDir, HASH_INVALIDATIONS_FILE);
  const line = `${basename(suffixDir)}\n`;
  const held = tryLockPathSync(partitionDir);
  if (held) {
    using _lock = held;
    Deno.writeTextFileSync(path, line, { append: true });
    return;
  }
  // Another process (a sibling worker, the replicator) holds it: wait as Swift does.
  using _lock = await lockPath(partitionDir);
  Deno.writeTextFileSync(path, line, { append: true });
}
