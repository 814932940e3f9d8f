/**
 * Points stdio file descriptors at /dev/null, as Swift's capture_stdio() does with os.dup2,
 * so a closed terminal or a reader that went away cannot block or kill a daemon on write.
 * Deno has no dup2, so this goes through libc.
 */

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;

/** Replaces each of `fds` (0, 1 and/or 2) with /dev/null; returns false if /dev/null is missing. */
export function redirectToDevNull(fds: readonly number[]): boolean {
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  try {
    const devNull = libc.symbols.open(new TextEncoder().encode("/dev/null\0"), O_RDWR | O_CLOEXEC);
    if (devNull < 0) return false;
    // dup2 clears FD_CLOEXEC on the target, so children still inherit working stdio.
    for (const fd of fds) libc.symbols.dup2(devNull, fd);
    libc.symbols.close(devNull);
    return true;
  } finally {
    libc.close();
  }
}
