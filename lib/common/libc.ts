/**
 * The few libc functions swiftd calls through Deno FFI (extended attributes and raw fds), and
 * errno reporting for them.
 *
 * The library is opened lazily, once, by its soname: no file next to this module is read, so
 * `deno compile` binaries work, and processes that never touch xattrs never need --allow-ffi.
 * Calls are synchronous on purpose: errno is thread-local, and a `nonblocking` call would run
 * on another thread whose errno the next call could not read.
 *
 * @module
 */

const SYMBOLS = {
  fgetxattr: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  fsetxattr: { parameters: ["i32", "buffer", "buffer", "usize", "i32"], result: "i32" },
  fremovexattr: { parameters: ["i32", "buffer"], result: "i32" },
  flistxattr: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  getxattr: { parameters: ["buffer", "buffer", "buffer", "usize"], result: "isize" },
  setxattr: { parameters: ["buffer", "buffer", "buffer", "usize", "i32"], result: "i32" },
  removexattr: { parameters: ["buffer", "buffer"], result: "i32" },
  listxattr: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
  // open(2) is variadic; passing the mode as a third fixed int is what C callers compile to
  // on the Linux ABIs we ship for (x86_64 SysV, aarch64 AAPCS64), where ints go in the same
  // registers for variadic and fixed arguments.
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The opened libc symbols, typed from the declaration table above. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Returns libc's symbols, opening libc.so.6 on first use. */
export const libc: () => LibcSymbols = openLibc(SYMBOLS);

/**
 * A lazily opened libc with the functions one module declares: each module keeps its own table
 * (so its calls are typed), and libc.so.6 is opened on the first call, not at import. glibc is
 * loaded once per process whatever the number of handles, so lastErrno() reads the errno of a
 * call made through any of them.
 */
export function openLibc<const S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): () => Deno.DynamicLibrary<S>["symbols"] {
  let opened: Deno.DynamicLibrary<S>["symbols"] | undefined;
  return () => (opened ??= Deno.dlopen("libc.so.6", symbols).symbols);
}

/** Reads the calling thread's errno; call it right after the failing libc call. */
export function lastErrno(): number {
  const pointer = libc().__errno_location();
  if (pointer === null) throw new Error("Cannot read errno: __errno_location() returned NULL");
  return new Deno.UnsafePointerView(pointer).getInt32();
}

// Linux errno numbers; asm-generic values, identical on x86_64 and aarch64.
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  7: "E2BIG",
  9: "EBADF",
  13: "EACCES",
  14: "EFAULT",
  17: "EEXIST",
  20: "ENOTDIR",
  22: "EINVAL",
  28: "ENOSPC",
  30: "EROFS",
  34: "ERANGE",
  36: "ENAMETOOLONG",
  40: "ELOOP",
  61: "ENODATA",
  95: "ENOTSUP",
  122: "EDQUOT",
};

/** The symbolic name of a Linux errno ("ENODATA"), or "E<number>" if not in the table. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/** Encodes `text` as a NUL-terminated C string, refusing embedded NULs C would cut at. */
export function cString(text: string, what: string): Uint8Array<ArrayBuffer> {
  if (text.includes("\0")) {
    throw new TypeError(`Cannot pass ${what} ${JSON.stringify(text)} to libc: it contains NUL`);
  }
  return new TextEncoder().encode(text + "\0");
}
