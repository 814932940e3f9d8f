/**
 * Writes during a partition power increase (X-Backend-Next-Part-Power): Swift 2.30 hard-links
 * each new file into the partition it will have under the next power, so the relinker finds
 * it there, and cleans the other location. replace_partition_in_path(),
 * get_partition_for_hash() and relink_paths() of swift/common/utils.py and diskfile.py.
 *
 * @module
 */
import { dirname, SEPARATOR } from "@std/path";
import { errorCode } from "./disk_fs.ts";

/** get_partition_for_hash(): the top `partPower` bits of the hash. */
export function partitionForHash(hexHash: string, partPower: number): number {
  if (!/^[0-9a-fA-F]{8}/.test(hexHash) || hexHash.length % 2) {
    throw new RangeError(`Cannot take a partition of hash "${hexHash}": it is not hex`);
  }
  const top = parseInt(hexHash.slice(0, 8), 16);
  return Math.floor(top / 2 ** (32 - partPower));
}

/**
 * replace_partition_in_path(): `path` (devices/device/objects/part/suffix/hash/...) with the
 * partition the hash has under `partPower`.
 */
export function replacePartitionInPath(devices: string, path: string, partPower: number): string {
  const offsetParts = devices.replace(/\/+$/, "").split(SEPARATOR);
  const components = path.split(SEPARATOR);
  if (offsetParts.some((part, i) => components[i] !== part)) {
    throw new RangeError(`Path "${path}" is not under device dir "${devices}"`);
  }
  const offset = offsetParts.length;
  components[offset + 2] = String(partitionForHash(components[offset + 4] ?? "", partPower));
  return components.join(SEPARATOR);
}

/** X-Backend-Next-Part-Power as Python's int(); throws RangeError for anything else. */
export function parsePartPower(value: string): number {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) {
    throw new RangeError(
      `X-Backend-Next-Part-Power must be an integer: current value is "${value}"`,
    );
  }
  return Number(trimmed);
}

/**
 * relink_paths(): hard-links `target` at `newTarget`, creating directories; a missing target
 * or an existing link to the same inode is fine. Returns whether a link was made.
 */
export async function relinkPaths(target: string, newTarget: string): Promise<boolean> {
  if (target === newTarget) return false;
  await Deno.mkdir(dirname(newTarget), { recursive: true });
  try {
    await Deno.link(target, newTarget);
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === "ENOENT") {
      try {
        await Deno.stat(target);
      } catch {
        return false;
      }
    } else if (code === "EEXIST") {
      let original: Deno.FileInfo;
      try {
        original = await Deno.stat(target);
      } catch (statErr) {
        if (errorCode(statErr) === "ENOENT") return false;
        throw err;
      }
      const linked = await Deno.stat(newTarget).catch(() => undefined);
      if (linked && linked.ino === original.ino) return false;
    }
    throw err;
  }
}
