/**
 * statvfs(3) and getpagesize(2) through Deno FFI, for /recon/diskusage and /recon/sockstat:
 * Deno has no API for either, and running `df` per request would fork under load.
 *
 * libc is opened lazily, once per process, so servers whose pipeline never asks for these need
 * no --allow-ffi.
 *
 * @module
 */
import { openLibc } from "../../common/libc.ts";

export { type StatVfs, statvfs } from "../../common/statvfs.ts";

const libc = openLibc({
  getpagesize: { parameters: [], result: "i32" },
});

/** resource.getpagesize(): the kernel's page size, which /proc/net/sockstat counts memory in. */
export function pageSize(): number {
  return libc().getpagesize();
}
