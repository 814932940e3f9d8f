/**
 * Suffix hashes for REPLICATE, as Swift 2.30's BaseDiskFileManager.get_hashes() computes them,
 * so Swift's replicator on another node compares them with its own: a suffix's hash is the md5
 * of, for each hash directory in sorted order (after cleanup), the chosen files'
 * `<timestamp.internal><ext>` (.meta, then .ts, then .data) and `<ctype timestamp>_ctype` when
 * a .meta carries a newer Content-Type. Hashes are cached in hashes.pkl; a suffix named in
 * hashes.invalid, asked for by the caller, or not cached is recomputed; a suffix directory
 * left empty is removed and disappears from the answer.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { join } from "@std/path";
import type { SwiftLogger } from "../log/logger.ts";
import { errorCode, exists, listdir } from "./disk_fs.ts";
import {
  consolidateHashes,
  type Hashes,
  invalidateHash,
  readHashes,
  sameHashes,
  validSuffix,
  writeHashes,
} from "./disk_hashes_pkl.ts";
import { lockPath } from "./disk_lock.ts";
import { cleanupOndiskFiles } from "./disk_ondisk.ts";
import { quarantineRenamer } from "./disk_quarantine.ts";

/** Where a partition is and what hashing it needs. */
export interface PartitionContext {
  readonly devicePath: string;
  /** "objects" or "objects-N". */
  readonly dataDir: string;
  readonly partition: string;
  readonly reclaimAge: number;
  readonly logger?: SwiftLogger;
}

/** The suffix directory is gone (or not a directory): drop it from the hashes (PathNotDir). */
class PathNotDir extends Error {}

/** The partition's directory. */
export function partitionPath(ctx: PartitionContext): string {
  return join(ctx.devicePath, ctx.dataDir, ctx.partition);
}

/** _hash_suffix_dir() + hexdigest(): the suffix's hash; throws PathNotDir when it is gone. */
async function hashSuffix(path: string, ctx: PartitionContext): Promise<string> {
  let md5: Hash | undefined;
  const update = (text: string) => (md5 ??= createHash("md5")).update(text);
  let names: string[];
  try {
    names = await listdir(path);
  } catch (err) {
    const code = errorCode(err);
    if (code === "ENOTDIR" || code === "ENOENT") throw new PathNotDir();
    throw err;
  }
  for (const name of names.sort()) {
    const hashDir = join(path, name);
    let found;
    try {
      found = await cleanupOndiskFiles(hashDir, ctx.reclaimAge);
    } catch (err) {
      if (errorCode(err) !== "ENOTDIR") throw err;
      // A file where a hash directory belongs: quarantine it and hash the rest.
      const to = await quarantineRenamer(
        ctx.devicePath,
        ctx.dataDir,
        join(hashDir, "made-up-filename"),
      );
      ctx.logger?.error(`Quarantined ${hashDir} to ${to} because it is not a directory`);
      continue;
    }
    if (!found.files.length) continue;
    if (found.metaInfo) update(found.metaInfo.timestamp.internal + found.metaInfo.ext);
    if (found.tsInfo) update(found.tsInfo.timestamp.internal + found.tsInfo.ext);
    if (found.dataInfo) update(found.dataInfo.timestamp.internal + found.dataInfo.ext);
    if (found.ctypeInfo) update(found.ctypeInfo.ctypeTimestamp!.internal + "_ctype");
  }
  try {
    await Deno.remove(path);
  } catch (err) {
    if (errorCode(err) === "ENOENT") throw new PathNotDir();
    return (md5 ?? createHash("md5")).digest("hex");
  }
  // Removed because it was empty: as if it had never been there.
  throw new PathNotDir();
}

/**
 * __get_hashes(): consolidates, recomputes what needs it, and writes hashes.pkl back unless
 * another process changed it meanwhile (then starts over, as Swift does).
 */
async function computeHashes(
  ctx: PartitionContext,
  recalculate: readonly string[],
  listAll: boolean,
): Promise<Hashes> {
  const path = partitionPath(ctx);
  let orig: Hashes = new Map([["valid", false]]);
  try {
    orig = await consolidateHashes(path);
  } catch (err) {
    ctx.logger?.warning(`Unable to read '${join(path, "hashes.pkl")}': ${err}`);
  }
  let hashes: Hashes;
  let doListdir = listAll;
  if (!orig.get("valid")) {
    // The only way to a valid hashes.pkl: list everything, and write only if the file is
    // still in the same invalid state afterwards.
    doListdir = true;
    hashes = new Map([["valid", true]]);
    orig = await readHashes(path);
  } else {
    hashes = new Map(orig);
  }
  let modified = false;
  if (doListdir) {
    for (const name of await listdir(path)) {
      if (name.length === 3 && !hashes.has(name)) hashes.set(name, null);
    }
    modified = true;
  }
  for (const suffix of recalculate) hashes.set(suffix, null);
  for (const [suffix, hash] of [...hashes]) {
    if (suffix === "valid" || suffix === "updated" || hash) continue;
    try {
      hashes.set(suffix, await hashSuffix(join(path, suffix), ctx));
    } catch (err) {
      if (err instanceof PathNotDir) hashes.delete(suffix);
      else ctx.logger?.exception("Error hashing suffix", err);
    }
    modified = true;
  }
  if (!modified) return hashes;
  {
    using _lock = await lockPath(path);
    if (sameHashes(await readHashes(path), orig)) {
      await writeHashes(path, hashes);
      return hashes;
    }
  }
  return await computeHashes(ctx, recalculate, doListdir);
}

/**
 * get_hashes(device, partition, suffixes, policy, skip_rehash): with `skipRehash` the valid
 * suffixes are only invalidated and the answer is null (REPLICATE with suffixes); otherwise
 * suffix -> md5 hex of the partition, {} when it does not exist.
 */
export async function getPartitionHashes(
  ctx: PartitionContext,
  suffixes: readonly string[],
  skipRehash: boolean,
): Promise<Map<string, string | null> | null> {
  const path = partitionPath(ctx);
  const valid = suffixes.filter(validSuffix);
  if (skipRehash) {
    for (const suffix of valid) await invalidateHash(join(path, suffix));
    return null;
  }
  if (!(await exists(path))) return new Map();
  const hashes = await computeHashes(ctx, valid, false);
  const out = new Map<string, string | null>();
  for (const [key, value] of hashes) {
    if (key !== "valid" && key !== "updated") out.set(key, value as string | null);
  }
  return out;
}
