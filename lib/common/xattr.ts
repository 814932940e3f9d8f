/**
 * Extended attributes by path or by raw fd, through libc (Deno has no xattr API).
 *
 * A target is either a path (followed if it is a symlink, like python-xattr's default that
 * Swift uses) or a raw OS file descriptor. Deno 2's FsFile does not expose its fd, so fds come
 * from openRawFd() (raw_fd.ts); a path is fine for Swift's layout, where a .data/.meta/.ts
 * name is written once and never changes content.
 *
 * Failures throw XattrError with the errno name in `code`, so callers can map ENOSPC/EDQUOT
 * to 507, ENOTSUP to "filesystem lacks xattrs", ENODATA to "attribute missing".
 *
 * @module
 */

import { cString, errnoName, lastErrno, libc } from "./libc.ts";

/** A path (symlinks followed) or a raw fd from openRawFd(). */
export type XattrTarget = string | number;

/** Errno names callers are expected to branch on; others appear as "E<number>" or similar. */
export type XattrErrorCode =
  | "ENODATA"
  | "ENOSPC"
  | "EDQUOT"
  | "ENOTSUP"
  | "E2BIG"
  | "ERANGE"
  | "ENOENT"
  | "EEXIST"
  | string;

/** A failed xattr syscall: which call, on what, for which attribute, and errno. */
export class XattrError extends Error {
  /** Builds the message from the call details. */
  constructor(
    readonly syscall: string,
    readonly target: XattrTarget,
    readonly attribute: string | undefined,
    readonly errno: number,
  ) {
    const on = typeof target === "number" ? `fd ${target}` : `"${target}"`;
    const attr = attribute === undefined ? "" : ` attribute "${attribute}"`;
    super(`${syscall}() failed on ${on}${attr}: ${errnoName(errno)} (errno ${errno})`);
    this.name = "XattrError";
  }

  /** The errno name, e.g. "ENODATA" or "ENOSPC". */
  get code(): XattrErrorCode {
    return errnoName(this.errno);
  }
}

/** Flags for setXattr(): fail if the attribute exists (create) or is missing (replace). */
export interface SetXattrOptions {
  /** XATTR_CREATE: fail with EEXIST if the attribute exists. */
  create?: boolean;
  /** XATTR_REPLACE: fail with ENODATA if the attribute does not exist. */
  replace?: boolean;
}

// Linux caps one value and the whole name list at 64 KiB (XATTR_SIZE_MAX, XATTR_LIST_MAX), so
// one buffer of that size reads anything in a single call, with no size probe to race against.
const XATTR_SIZE_MAX = 65536;
let scratch: Uint8Array<ArrayBuffer> | undefined;

function buffer(): Uint8Array<ArrayBuffer> {
  scratch ??= new Uint8Array(XATTR_SIZE_MAX);
  return scratch;
}

function fail(syscall: string, target: XattrTarget, attribute?: string): never {
  throw new XattrError(syscall, target, attribute, lastErrno());
}

function checkFd(fd: number): number {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new TypeError(`Cannot use fd ${fd} for an xattr call: not a valid file descriptor`);
  }
  return fd;
}

/** Reads attribute `name`; throws XattrError with code "ENODATA" when it is not set. */
export function getXattr(target: XattrTarget, name: string): Uint8Array {
  const value = getXattrUnlessMissing(target, name);
  if (value !== undefined) return value;
  const syscall = typeof target === "number" ? "fgetxattr" : "getxattr";
  throw new XattrError(syscall, target, name, ENODATA);
}

/** Writes attribute `name`; ENOSPC/EDQUOT/E2BIG/ENOTSUP surface as XattrError codes. */
export function setXattr(
  target: XattrTarget,
  name: string,
  value: Uint8Array,
  options: SetXattrOptions = {},
): void {
  const c = libc();
  const flags = (options.create ? 1 : 0) | (options.replace ? 2 : 0);
  const cname = cString(name, "xattr name");
  // FFI "buffer" arguments must be backed by an ArrayBuffer; copy views of shared memory.
  const data = value.buffer instanceof ArrayBuffer
    ? value as Uint8Array<ArrayBuffer>
    : new Uint8Array(value);
  const rc = typeof target === "number"
    ? c.fsetxattr(checkFd(target), cname, data, BigInt(data.length), flags)
    : c.setxattr(cString(target, "path"), cname, data, BigInt(data.length), flags);
  if (rc !== 0) fail(typeof target === "number" ? "fsetxattr" : "setxattr", target, name);
}

/** Removes attribute `name`; throws XattrError with code "ENODATA" if it was not set. */
export function removeXattr(target: XattrTarget, name: string): void {
  const c = libc();
  const cname = cString(name, "xattr name");
  const rc = typeof target === "number"
    ? c.fremovexattr(checkFd(target), cname)
    : c.removexattr(cString(target, "path"), cname);
  if (rc !== 0) fail(typeof target === "number" ? "fremovexattr" : "removexattr", target, name);
}

/** ENODATA: the attribute is not set. */
export const ENODATA = 61;

/**
 * getXattr() that returns ENODATA instead of throwing it: metadata is read until the first
 * missing chunk, so every read ends on one, and an Error (its stack captured) for each cost
 * more than the read itself. Other failures still throw XattrError.
 */
export function getXattrUnlessMissing(target: XattrTarget, name: string): Uint8Array | undefined {
  const c = libc();
  const buf = buffer();
  const cname = cString(name, "xattr name");
  const n = Number(
    typeof target === "number"
      ? c.fgetxattr(checkFd(target), cname, buf, BigInt(buf.length))
      : c.getxattr(cString(target, "path"), cname, buf, BigInt(buf.length)),
  );
  if (n >= 0) return buf.slice(0, n);
  const errno = lastErrno();
  if (errno === ENODATA) return undefined;
  throw new XattrError(typeof target === "number" ? "fgetxattr" : "getxattr", target, name, errno);
}

/** removeXattr() that returns false when the attribute was not set, instead of throwing. */
export function removeXattrIfSet(target: XattrTarget, name: string): boolean {
  const c = libc();
  const cname = cString(name, "xattr name");
  const rc = typeof target === "number"
    ? c.fremovexattr(checkFd(target), cname)
    : c.removexattr(cString(target, "path"), cname);
  if (rc === 0) return true;
  const errno = lastErrno();
  if (errno === ENODATA) return false;
  throw new XattrError(
    typeof target === "number" ? "fremovexattr" : "removexattr",
    target,
    name,
    errno,
  );
}

/** Lists attribute names (all namespaces the caller may see), in the kernel's order. */
export function listXattrs(target: XattrTarget): string[] {
  const c = libc();
  const buf = buffer();
  const n = Number(
    typeof target === "number"
      ? c.flistxattr(checkFd(target), buf, BigInt(buf.length))
      : c.listxattr(cString(target, "path"), buf, BigInt(buf.length)),
  );
  if (n < 0) fail(typeof target === "number" ? "flistxattr" : "listxattr", target);
  const names = new TextDecoder().decode(buf.subarray(0, n)).split("\0");
  return names.filter((name) => name.length > 0);
}
