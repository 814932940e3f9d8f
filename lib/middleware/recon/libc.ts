/**
 * statvfs(3) and getpagesize(2) through Deno FFI, for /recon/diskusage and /recon/sockstat:
 * Deno has no API for either, and running `df` per request would fork under load.
 *
 * libc is opened lazily by its soname, once per process, so servers whose pipeline never asks
 * for these need no --allow-ffi. Calls are synchronous so errno is read on the calling thread.
 *
 * @module
 */

const SYMBOLS = {
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
  getpagesize: { parameters: [], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/**
 * glibc's struct statvfs on 64-bit Linux (x86_64 and aarch64 share it): unsigned long f_bsize,
 * f_frsize; fsblkcnt_t f_blocks, f_bfree, f_bavail; fsfilcnt_t f_files, f_ffree, f_favail;
 * unsigned long f_fsid, f_flag, f_namemax; int __f_spare[6]; 112 bytes, all 8-byte fields.
 */
const STATVFS_SIZE = 112;
const F_BSIZE = 0;
const F_BLOCKS = 16;
const F_BAVAIL = 32;

/** The fields of os.statvfs() that recon reads, as exact integers. */
export interface StatVfs {
  readonly bsize: bigint;
  readonly blocks: bigint;
  readonly bavail: bigint;
}

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

function libc(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] {
  if (Deno.build.os !== "linux" || !["x86_64", "aarch64"].includes(Deno.build.arch)) {
    // The struct layout above is only known for these ABIs.
    throw new Error(
      `Cannot call statvfs(3): swiftd knows struct statvfs only on 64-bit Linux ` +
        `(this is ${Deno.build.os}/${Deno.build.arch})`,
    );
  }
  library ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return library.symbols;
}

/** os.statvfs(path); throws Deno.errors.NotFound and friends as Python raises OSError. */
export function statvfs(path: string): StatVfs {
  if (path.includes("\0")) throw new TypeError(`Cannot statvfs "${path}": it contains NUL`);
  const buffer = new Uint8Array(STATVFS_SIZE);
  const symbols = libc();
  if (symbols.statvfs(new TextEncoder().encode(`${path}\0`), buffer) !== 0) {
    const pointer = symbols.__errno_location();
    const errno = pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
    throw new Error(`statvfs("${path}") failed with errno ${errno}`);
  }
  const view = new DataView(buffer.buffer);
  return {
    bsize: view.getBigUint64(F_BSIZE, true),
    blocks: view.getBigUint64(F_BLOCKS, true),
    bavail: view.getBigUint64(F_BAVAIL, true),
  };
}

/** resource.getpagesize(): the kernel's page size, which /proc/net/sockstat counts memory in. */
export function pageSize(): number {
  return libc().getpagesize();
}
