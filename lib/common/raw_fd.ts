/**
 * Raw OS file descriptors opened through libc, for the fd variants of the xattr calls.
 *
 * Deno 2's FsFile hides its fd (it only has an internal resource id), so an fd for
 * fgetxattr()/fsetxattr() has to be opened separately. A RawFd is closed by `using` or close();
 * it is opened O_CLOEXEC so child processes never inherit it.
 *
 * @module
 */

import { cString, errnoName, lastErrno, libc } from "./libc.ts";

// asm-generic <fcntl.h> values, identical on x86_64 and aarch64.
const O_RDONLY = 0;
const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;

/** Thrown when open(2) or close(2) fails; `code` is the errno name ("ENOENT"). */
export class RawFdError extends Error {
  /** Builds the message from the call, path and errno. */
  constructor(readonly syscall: string, readonly path: string, readonly errno: number) {
    super(`${syscall}() failed on "${path}": ${errnoName(errno)} (errno ${errno})`);
    this.name = "RawFdError";
  }
  /** The errno name, e.g. "ENOENT". */
  get code(): string {
    return errnoName(this.errno);
  }
}

/** An open raw fd; use with `using` so it is closed on every path. */
export class RawFd implements Disposable {
  #fd: number;
  /** Wraps an fd this object now owns. */
  constructor(fd: number, readonly path: string) {
    this.#fd = fd;
  }
  /** The OS file descriptor; throws once closed, so a reused number is never touched. */
  get fd(): number {
    if (this.#fd < 0) throw new Error(`Cannot use fd of "${this.path}": it is already closed`);
    return this.#fd;
  }
  /** Closes the fd; a second close is a no-op. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    if (libc().close(fd) !== 0) throw new RawFdError("close", this.path, lastErrno());
  }
  /** Same as close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens an existing file read-only (or read-write) as a raw fd. */
export function openRawFd(path: string, options: { write?: boolean } = {}): RawFd {
  const flags = (options.write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  const fd = libc().open(cString(path, "path"), flags, 0);
  if (fd < 0) throw new RawFdError("open", path, lastErrno());
  return new RawFd(fd, path);
}
