/**
 * The run directory: a lock that stops a second swiftd from serving the same port, and a pid
 * file. SO_REUSEPORT would otherwise let two servers bind one port and silently split its
 * connections between them. The lock is flock(2)'d, so the kernel releases it when the holder
 * dies, whatever the pid file says.
 */
import { join } from "@std/path";

/** A held run-directory lock and the pid file beside it. */
export interface RunLock {
  readonly lockPath: string;
  readonly pidPath: string;
  /** Unlocks and removes the pid file. */
  release(): void;
}

/** Thrown when another process holds the port's lock, or the directory is unusable. */
export class RunDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunDirError";
  }
}

/** Takes `<run_dir>/swiftd-<port>.lock` and writes `<run_dir>/<server>-<port>.pid`. */
export function acquireRunLock(runDir: string, server: string, port: number): RunLock {
  try {
    Deno.mkdirSync(runDir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new RunDirError(
      `Cannot create run_dir "${runDir}": ${(err as Error).message}; set run_dir to a ` +
        `directory this user can write`,
    );
  }
  const lockPath = join(runDir, `swiftd-${port}.lock`);
  const pidPath = join(runDir, `${server}-${port}.pid`);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(lockPath, { read: true, write: true, create: true });
  } catch (err) {
    throw new RunDirError(`Cannot open lock file "${lockPath}": ${(err as Error).message}`);
  }
  if (!file.tryLockSync(true)) {
    const holder = readHolder(lockPath);
    file.close();
    throw new RunDirError(
      `Port ${port} is already served by another swiftd${holder ? ` (pid ${holder})` : ""}, ` +
        `which holds "${lockPath}"; two servers on one port would silently share its ` +
        `connections through SO_REUSEPORT`,
    );
  }
  const pid = `${Deno.pid}\n`;
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(pid));
  Deno.writeTextFileSync(pidPath, pid);
  return {
    lockPath,
    pidPath,
    release() {
      try {
        Deno.removeSync(pidPath);
      } catch {
        // Already gone, or the directory is no longer writable: the lock is what counts.
      }
      file.close();
    },
  };
}

function readHolder(lockPath: string): string | undefined {
  try {
    return Deno.readTextFileSync(lockPath).trim() || undefined;
  } catch {
    return undefined;
  }
}
