/**
 * Swift's lock_parent_directory(): an exclusive flock() on "<dir>/.lock".
 * Swift's daemons take the same lock before touching a .pending file or
 * renaming a new database into place, so holding it keeps swiftd and Swift
 * processes on one device from interleaving writes.
 */
import { dirname, join } from "@std/path";
import { LockTimeoutError } from "./errors.ts";

/** Swift's DEFAULT_LOCK_TIMEOUT, in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 10;

// flock() also excludes other descriptors of this process, but queueing here
// first keeps concurrent requests from spinning on the same lock file.
const localQueues = new Map<string, Promise<void>>();

/** Runs `fn` while holding the lock on the directory containing `path`. */
export async function withParentDirectoryLock<T>(
  path: string,
  timeoutSeconds: number,
  fn: () => T | Promise<T>,
): Promise<T> {
  return await withDirectoryLock(dirname(path), timeoutSeconds, fn);
}

/** Runs `fn` while holding Swift's lock on `directory` (creating the directory if needed). */
export async function withDirectoryLock<T>(
  directory: string,
  timeoutSeconds: number,
  fn: () => T | Promise<T>,
): Promise<T> {
  const previous = localQueues.get(directory) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => release = resolve);
  const chained = previous.then(() => mine);
  localQueues.set(directory, chained);
  try {
    await previous;
    return await holdFlock(directory, timeoutSeconds, fn);
  } finally {
    release();
    if (localQueues.get(directory) === chained) localQueues.delete(directory);
  }
}

async function holdFlock<T>(
  directory: string,
  timeoutSeconds: number,
  fn: () => T | Promise<T>,
): Promise<T> {
  Deno.mkdirSync(directory, { recursive: true });
  const lockPath = join(directory, ".lock");
  using file = Deno.openSync(lockPath, { write: true, create: true });
  // Same back-off as Swift's lock_path(): 10ms polls, slower after 1% of the timeout.
  let sleepMs = 10;
  const slowerMs = Math.max(timeoutSeconds * 10, sleepMs);
  const slowdownAtMs = timeoutSeconds * 10;
  let sleptMs = 0;
  while (!(await file.tryLock(true))) {
    if (sleptMs >= timeoutSeconds * 1000) throw new LockTimeoutError(lockPath, timeoutSeconds);
    if (sleptMs > slowdownAtMs) sleepMs = slowerMs;
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    sleptMs += sleepMs;
  }
  return await fn();
}
