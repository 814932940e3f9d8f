/**
 * swift.common.utils.fs_has_free_space(): whether a filesystem keeps `fallocate_reserve` free,
 * read with statvfs(3) through Deno FFI (Deno has no statvfs of its own). Account and
 * container servers answer 507 to writes when it does not.
 */
import type { FallocateReserve } from "../config/values.ts";

const SYMBOLS = {
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

// struct statvfs on 64-bit Linux (x86_64 and aarch64 glibc): f_bsize, f_frsize, f_blocks,
// f_bfree, f_bavail... each 8 bytes; the whole struct is 112 bytes.
const STATVFS_SIZE = 112;
const F_FRSIZE = 8;
const F_BLOCKS = 16;
const F_BAVAIL = 32;

/** Free and total bytes of the filesystem holding `path`; throws when statvfs fails. */
export function fsUsage(path: string): { free: number; size: number } {
  library ??= Deno.dlopen("libc.so.6", SYMBOLS);
  const buffer = new Uint8Array(STATVFS_SIZE);
  const name = new TextEncoder().encode(`${path}\0`);
  if (library.symbols.statvfs(name, buffer) !== 0) {
    throw new Error(`Cannot read free space of "${path}": statvfs() failed`);
  }
  const view = new DataView(buffer.buffer);
  const frsize = Number(view.getBigUint64(F_FRSIZE, true));
  return {
    free: frsize * Number(view.getBigUint64(F_BAVAIL, true)),
    size: frsize * Number(view.getBigUint64(F_BLOCKS, true)),
  };
}

/** fs_has_free_space(path, reserve.value, reserve.isPercent). */
export function fsHasFreeSpace(path: string, reserve: FallocateReserve): boolean {
  if (!reserve.isPercent && reserve.value === 0) return true;
  const { free, size } = fsUsage(path);
  if (reserve.isPercent) return (free / size) * 100 >= reserve.value;
  return free >= reserve.value;
}
