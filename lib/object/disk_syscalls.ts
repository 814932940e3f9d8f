/**
 * The system calls the disk backend needs and Deno has no API for, through FFI: O_TMPFILE
 * opens, fallocate(2), fstatvfs(3), linkat(2), posix_fadvise(2) and flock(2) on raw fds.
 *
 * Swift 2.30 writes an object into an unnamed O_TMPFILE inode in the hash directory and links
 * it into place with linkat("/proc/self/fd/N"); preallocates with fallocate(KEEP_SIZE) after
 * checking fallocate_reserve with fstatvfs(); drops written pages from the cache; and locks
 * partitions with flock() on a `.lock` file. Data itself goes through Deno's async FsFile
 * (reopened from /proc/self/fd/N) so no read or write of object data blocks the event loop;
 * the calls here are quick metadata operations and run synchronously, which is also what lets
 * errno be read (it is thread-local).
 *
 * @module
 */
import { cString, errnoName, lastErrno, openLibc } from "../common/libc.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  fallocate: { parameters: ["i32", "i32", "i64", "i64"], result: "i32" },
  fstatvfs: { parameters: ["i32", "buffer"], result: "i32" },
  linkat: { parameters: ["i32", "buffer", "i32", "buffer", "i32"], result: "i32" },
  posix_fadvise: { parameters: ["i32", "i64", "i64", "i32"], result: "i32" },
  flock: { parameters: ["i32", "i32"], result: "i32" },
} as const;

const libc = openLibc(SYMBOLS);

/** Linux errno values the backend branches on (asm-generic, the same on x86_64 and arm64). */
export const ERRNO = {
  ENOENT: 2,
  EAGAIN: 11,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ENODATA: 61,
  EOPNOTSUPP: 95,
  EDQUOT: 122,
} as const;

// <fcntl.h>: O_DIRECTORY (and so O_TMPFILE) is the one flag arm64 numbers differently.
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_CLOEXEC = 0o2000000;
const O_DIRECTORY = Deno.build.arch === "aarch64" ? 0o40000 : 0o200000;
const O_TMPFILE = 0o20000000 | O_DIRECTORY;
const FALLOC_FL_KEEP_SIZE = 1;
const AT_FDCWD = -100;
const AT_SYMLINK_FOLLOW = 0x400;
const POSIX_FADV_DONTNEED = 4;
const LOCK_EX = 2;
const LOCK_NB = 4;

/** A failed system call, with the errno and its name ("ENOSPC") as `code`. */
export class OsError extends Error {
  /** Builds the message from the call, what it was called on, and errno. */
  constructor(readonly syscall: string, readonly target: string, readonly errno: number) {
    super(`${syscall}() failed on "${target}": ${errnoName(errno)} (errno ${errno})`);
    this.name = "OsError";
  }

  /** The errno name, e.g. "ENOSPC". */
  get code(): string {
    return errnoName(this.errno);
  }
}

function check(rc: number, syscall: string, target: string): number {
  if (rc < 0) throw new OsError(syscall, target, lastErrno());
  return rc;
}

/**
 * open(dir, O_TMPFILE | O_WRONLY): an unnamed file in `dir`, mode 0777 less the umask as
 * Python's os.open() gives it. EOPNOTSUPP, EISDIR or EINVAL mean the filesystem (or kernel)
 * has no O_TMPFILE; the caller then falls back to a named temporary file.
 */
export function openTmpFile(dir: string): number {
  return check(
    libc().open(cString(dir, "directory"), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0o777),
    "open(O_TMPFILE)",
    dir,
  );
}

/** open(path, O_RDWR | O_CREAT | O_EXCL, 0600), as mkstemp() creates its file. */
export function openExclusive(path: string): number {
  return check(
    libc().open(cString(path, "path"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600),
    "open",
    path,
  );
}

/** open(path, O_WRONLY | O_CREAT), mode 0777 less the umask: Swift's lock files. */
export function openForLock(path: string): number {
  return check(
    libc().open(cString(path, "path"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o777),
    "open",
    path,
  );
}

/** close(fd); errors are ignored, as the fd is gone either way. */
export function closeFd(fd: number): void {
  libc().close(fd);
}

/** Free and total bytes of the filesystem holding `fd` (fstatvfs: f_frsize * f_bavail, ...). */
export function fdSpace(fd: number, what: string): { free: number; total: number } {
  // struct statvfs on 64-bit glibc: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ...
  const buffer = new Uint8Array(112);
  check(libc().fstatvfs(fd, buffer), "fstatvfs", what);
  const view = new DataView(buffer.buffer);
  const frsize = Number(view.getBigUint64(8, true));
  return {
    free: frsize * Number(view.getBigUint64(32, true)),
    total: frsize * Number(view.getBigUint64(16, true)),
  };
}

/**
 * fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, size), as swift.common.utils.fallocate() calls it;
 * ENOSYS, EOPNOTSUPP and EINVAL (no fallocate on this filesystem) count as success there.
 */
export function fallocateKeepSize(fd: number, size: number, what: string): void {
  if (libc().fallocate(fd, FALLOC_FL_KEEP_SIZE, 0n, BigInt(size)) === 0) return;
  const errno = lastErrno();
  if (errno === ERRNO.ENOSYS || errno === ERRNO.EOPNOTSUPP || errno === ERRNO.EINVAL) return;
  throw new OsError("fallocate", what, errno);
}

/** linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, target, AT_SYMLINK_FOLLOW). */
export function linkFd(fd: number, target: string): void {
  check(
    libc().linkat(
      AT_FDCWD,
      cString(`/proc/self/fd/${fd}`, "path"),
      AT_FDCWD,
      cString(target, "path"),
      AT_SYMLINK_FOLLOW,
    ),
    "linkat",
    target,
  );
}

/** posix_fadvise(DONTNEED): drops the range's clean pages; failures only cost cache. */
export function dropBufferCache(fd: number, offset: number, length: number): void {
  libc().posix_fadvise(fd, BigInt(offset), BigInt(length), POSIX_FADV_DONTNEED);
}

/** flock(fd, LOCK_EX | LOCK_NB): true when the lock was taken, false when someone holds it. */
export function tryLockExclusive(fd: number, what: string): boolean {
  if (libc().flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const errno = lastErrno();
  if (errno === ERRNO.EAGAIN) return false;
  throw new OsError("flock", what, errno);
}
