/**
 * swift.common.utils.lock_path(): an exclusive flock() on `<directory>/.lock`, the lock Swift's
 * object server, replicator and reconstructor take before touching a partition's hashes.pkl or
 * hashes.invalid. swiftd takes the very same lock so it can share a node with Swift's daemons.
 *
 * Swift polls with LOCK_NB (sleeping 10 ms, slower after 1% of the timeout) rather than
 * blocking; here the sleeps are timers, so a waiting request never blocks the event loop.
 *
 * @module
 */
import { join } from "@std/path";
import { mkdirs, mkdirsSync } from "./disk_fs.ts";
import { closeFd, openForLock, tryLockExclusive } from "./disk_syscalls.ts";

/** Swift's DEFAULT_LOCK_TIMEOUT, in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 10;

/** The lock could not be taken in time (Swift's LockTimeout). */
export class LockTimeout extends Error {
  constructor(readonly path: string, readonly timeout: number) {
    super(`Lock "${path}" is still held by another process after ${timeout} seconds`);
    this.name = "LockTimeout";
  }
}

/** Options of lockPath(). */
export interface LockPathOptions {
  /** Seconds to wait; DEFAULT_LOCK_TIMEOUT when absent. */
  readonly timeout?: number;
  /** Distinguishes kinds of lock in one directory: `.lock-<name>`. */
  readonly name?: string;
}

/**
 * Takes the lock of `directory` (creating it) now, or returns undefined when another holds
 * it. A caller that does its work before the next await holds the lock only for that work,
 * so no other request of this process ever waits for it (they would poll every 10 ms).
 */
export function tryLockPathSync(
  directory: string,
  options: LockPathOptions = {},
): Disposable | undefined {
  mkdirsSync(directory);
  const path = join(directory, options.name ? `.lock-${options.name}` : ".lock");
  const fd = openForLock(path);
  try {
    if (tryLockExclusive(fd, path)) return { [Symbol.dispose]: () => closeFd(fd) };
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  closeFd(fd);
  return undefined;
}

/** Locks `directory` (creating it) until the returned handle is disposed. */
export async function lockPath(
  directory: string,
  options: LockPathOptions = {},
): Promise<Disposable> {
  const timeout = options.timeout ?? DEFAULT_LOCK_TIMEOUT;
  await mkdirs(directory);
  const path = join(directory, options.name ? `.lock-${options.name}` : ".lock");
  const fd = openForLock(path);
  const release = { [Symbol.dispose]: () => closeFd(fd) };
  try {
    let slept = 0;
    const slowSleep = Math.max(timeout * 0.01, 0.01);
    while (!tryLockExclusive(fd, path)) {
      if (slept >= timeout) throw new LockTimeout(path, timeout);
      const sleep = slept > timeout * 0.01 ? slowSleep : 0.01;
      await new Promise((resolve) => setTimeout(resolve, sleep * 1000));
      slept += sleep;
    }
    return release;
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}
