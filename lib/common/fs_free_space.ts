/**
 * swift.common.utils.fs_has_free_space(): whether a filesystem keeps `fallocate_reserve` free,
 * read with statvfs(3) through Deno FFI (Deno has no statvfs of its own). Account and
 * container servers answer 507 to writes when it does not.
 */
import type { FallocateReserve } from "../config/values.ts";
import { statvfs } from "./statvfs.ts";

/** Free and total bytes of the filesystem holding `path`; throws when statvfs fails. */
export function fsUsage(path: string): { free: number; size: number } {
  let stat;
  try {
    stat = statvfs(path);
  } catch (err) {
    throw new Error(`Cannot read free space of "${path}": ${(err as Error).message}`);
  }
  const frsize = Number(stat.frsize);
  return { free: frsize * Number(stat.bavail), size: frsize * Number(stat.blocks) };
}

/** fs_has_free_space(path, reserve.value, reserve.isPercent). */
export function fsHasFreeSpace(path: string, reserve: FallocateReserve): boolean {
  if (!reserve.isPercent && reserve.value === 0) return true;
  const { free, size } = fsUsage(path);
  if (reserve.isPercent) return (free / size) * 100 >= reserve.value;
  return free >= reserve.value;
}
