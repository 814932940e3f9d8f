/**
 * The file helpers of swift/common/utils.py the disk backend relies on, with their exact
 * effects on disk: makedirs_count(), renamer() and fsync_dir() (which directories get
 * fsync'd after a rename), mkstemp() names and modes, write_pickle() (temp file, fsync, rename)
 * and the quiet remove_file().
 *
 * Metadata calls (stat, mkdir, readdir, open, rename, unlink) are made synchronously, as Swift
 * makes them: each takes microseconds on a local filesystem, while Deno's async variant of one
 * costs tens of microseconds of CPU (a thread-pool round trip and a promise), which made
 * them the largest part of a small PUT. fsync() stays asynchronous: it waits for the disk.
 *
 * @module
 */
import { basename, dirname, join } from "@std/path";
import { dumpPickle, type PickleProtocol, type PickleValue } from "../common/pickle.ts";
import { closeFd, openExclusive, OsError } from "./disk_syscalls.ts";

/** The errno name ("ENOENT") of a Deno or FFI error, or undefined for other errors. */
export function errorCode(err: unknown): string | undefined {
  if (err instanceof OsError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `path` is a directory (following symlinks), as os.path.isdir(). */
export function isDir(path: string): Promise<boolean> {
  return Promise.resolve(isDirSync(path));
}

function isDirSync(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Whether `path` exists (following symlinks), as os.path.exists(). */
export function exists(path: string): Promise<boolean> {
  return Promise.resolve(existsSync(path));
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** os.listdir(): the names in `path`, in the order the kernel returns them. */
export function listdir(path: string): Promise<string[]> {
  try {
    return Promise.resolve(listdirSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** listdir() without a promise. */
export function listdirSync(path: string): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(path)) names.push(entry.name);
  return names;
}

/**
 * makedirs_count(): creates `path` and missing parents, returning how many directories were
 * created; an existing directory is fine, an existing file is not.
 */
export function makedirsCount(path: string): Promise<number> {
  try {
    return Promise.resolve(makedirsCountSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

function makedirsCountSync(path: string): number {
  let count = 0;
  const head = dirname(path);
  if (head !== path && basename(path) && !existsSync(head)) count += makedirsCountSync(head);
  try {
    Deno.mkdirSync(path);
    count++;
  } catch (err) {
    if (errorCode(err) !== "EEXIST" || !isDirSync(path)) throw err;
  }
  return count;
}

/** mkdirs(): makes `path` and its parents unless it is already a directory. */
export function mkdirs(path: string): Promise<void> {
  try {
    mkdirsSync(path);
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** mkdirs() without a promise. */
export function mkdirsSync(path: string): void {
  if (isDirSync(path)) return;
  try {
    Deno.mkdirSync(path, { recursive: true });
  } catch (err) {
    if (errorCode(err) !== "EEXIST" || !isDirSync(path)) throw err;
  }
}

/**
 * fsync_dir(): makes a directory's entries durable. Failures other than ENOTDIR are only worth
 * a warning in Swift (the rename itself succeeded), so they are ignored here.
 */
export async function fsyncDir(path: string): Promise<void> {
  let dir: Deno.FsFile | undefined;
  try {
    dir = Deno.openSync(path, { read: true });
    await dir.sync();
  } catch (err) {
    if (errorCode(err) === "ENOTDIR") throw err;
  } finally {
    dir?.close();
  }
}

/** fsync_dir() of `path` and `count` of its parents (the directories makedirs_count() made). */
export async function fsyncDirs(path: string, count: number): Promise<void> {
  let dir = path;
  for (let i = 0; i <= count; i++) {
    await fsyncDir(dir);
    dir = dirname(dir);
  }
}

/**
 * renamer(): renames `from` to `to`, creating the target's directories (and retrying once,
 * as another process may remove an empty directory in between), then fsyncs as Swift does.
 */
export async function renamer(from: string, to: string, fsync = true): Promise<void> {
  const dir = dirname(to);
  let count: number;
  try {
    count = makedirsCountSync(dir);
    Deno.renameSync(from, to);
  } catch {
    count = makedirsCountSync(dir);
    Deno.renameSync(from, to);
  }
  if (fsync) await fsyncDirs(dir, count);
}

/** remove_file(): unlinks `path`, ignoring every error. */
export function removeFile(path: string): Promise<void> {
  try {
    Deno.removeSync(path);
  } catch {
    // Swift's remove_file() is deliberately quiet: the file is gone or will be retried.
  }
  return Promise.resolve();
}

// tempfile's _RandomNameSequence: eight characters from this alphabet.
const TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_";

function randomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => TEMP_CHARS[b % TEMP_CHARS.length]).join("");
}

/**
 * mkstemp(dir=dir, suffix=suffix): a new file "tmpXXXXXXXX<suffix>" created O_EXCL with mode
 * 0600; returns its raw fd (the caller closes it) and path.
 */
export function mkstemp(dir: string, suffix = ""): { fd: number; path: string } {
  for (let attempt = 0;; attempt++) {
    const path = join(dir, `tmp${randomName()}${suffix}`);
    try {
      return { fd: openExclusive(path), path };
    } catch (err) {
      if (errorCode(err) !== "EEXIST" || attempt >= 100) throw err;
    }
  }
}

/**
 * write_pickle(): pickles `value` into a temporary file in `tmpDir`, fsyncs it and renames it
 * to `dest`, so a reader sees the old file or the whole new one.
 */
export async function writePickle(
  value: PickleValue,
  dest: string,
  tmpDir: string,
  protocol: PickleProtocol,
): Promise<void> {
  mkdirsSync(tmpDir);
  const { fd, path } = mkstemp(tmpDir, ".tmp");
  try {
    using file = Deno.openSync(`/proc/self/fd/${fd}`, { write: true });
    writeAllSync(file, dumpPickle(value, { protocol }));
    await file.sync();
  } catch (err) {
    closeFd(fd);
    await removeFile(path);
    throw err;
  }
  closeFd(fd);
  try {
    await renamer(path, dest);
  } catch (err) {
    await removeFile(path);
    throw err;
  }
}

/** Writes all of `data` now (writeSync may write less than asked). */
export function writeAllSync(file: Deno.FsFile, data: Uint8Array): void {
  for (let offset = 0; offset < data.length;) offset += file.writeSync(data.subarray(offset));
}

/** Writes all of `data` (FsFile.write may write less than asked). */
export async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length;) offset += await file.write(data.subarray(offset));
}
