/**
 * os.statvfs() through Deno FFI (Deno has no statvfs of its own): free space for
 * fallocate_reserve (fs_free_space.ts) and /recon/diskusage.
 *
 * @module
 */
import { lastErrno, openLibc } from "./libc.ts";

const libc = openLibc({
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
});

/**
 * glibc's struct statvfs on 64-bit Linux (x86_64 and aarch64 share it): unsigned long f_bsize,
 * f_frsize; fsblkcnt_t f_blocks, f_bfree, f_bavail; fsfilcnt_t f_files, f_ffree, f_favail;
 * unsigned long f_fsid, f_flag, f_namemax; int __f_spare[6]; 112 bytes, all 8-byte fields.
 */
const STATVFS_SIZE = 112;
const F_BSIZE = 0;
const F_FRSIZE = 8;
const F_BLOCKS = 16;
const F_BAVAIL = 32;

/** The fields of os.statvfs() swiftd reads, as exact integers. */
export interface StatVfs {
  readonly bsize: bigint;
  readonly frsize: bigint;
  readonly blocks: bigint;
  readonly bavail: bigint;
}

/** os.statvfs(path); throws with the errno when it fails. */
export function statvfs(path: string): StatVfs {
  if (path.includes("\0")) throw new TypeError(`Cannot statvfs "${path}": it contains NUL`);
  if (Deno.build.os !== "linux" || !["x86_64", "aarch64"].includes(Deno.build.arch)) {
    // The struct layout above is only known for these ABIs.
    throw new Error(
      `Cannot call statvfs(3): swiftd knows struct statvfs only on 64-bit Linux ` +
        `(this is ${Deno.build.os}/${Deno.build.arch})`,
    );
  }
  const buffer = new Uint8Array(STATVFS_SIZE);
  if (libc().statvfs(new TextEncoder().encode(`${path}\0`), buffer) !== 0) {
    throw new Error(`statvfs("${path}") failed with errno ${lastErrno()}`);
  }
  const view = new DataView(buffer.buffer);
  return {
    bsize: view.getBigUint64(F_BSIZE, true),
    frsize: view.getBigUint64(F_FRSIZE, true),
    blocks: view.getBigUint64(F_BLOCKS, true),
    bavail: view.getBigUint64(F_BAVAIL, true),
  };
}
