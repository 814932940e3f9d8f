/**
 * Swift 2.30's DiskFileWriter: a new .data, .meta or .ts file of one object.
 *
 * The file is an unnamed O_TMPFILE inode in the object's hash directory (or, on filesystems
 * without O_TMPFILE, a mkstemp() file in the device's tmp[-N] directory), preallocated with
 * fallocate() after the fallocate_reserve check, written with an fdatasync() every
 * mb_per_sync, then: metadata xattrs, fsync, the suffix appended to hashes.invalid, linkat()
 * (or rename()) into place with the directories fsync'd, and cleanup of what the new file made
 * obsolete. Until then nothing is visible under the object's name, so a failure (a full disk,
 * ENOSPC on the xattrs) leaves no partial object: the unnamed inode vanishes on close and a
 * named temp file is unlinked.
 *
 * @module
 */
import { dirname, join } from "@std/path";
import { Timestamp } from "../common/timestamp.ts";
import { XattrError } from "../common/xattr.ts";
import type { DiskFileWriter, Metadata } from "./backend.ts";
import { DiskFileError, DiskFileNoSpace, DiskFileXattrNotSupported } from "./diskfile_errors.ts";
import {
  errorCode,
  fsyncDir,
  fsyncDirs,
  makedirsCount,
  mkdirs,
  mkstemp,
  removeFile,
  renamer,
  writeAllSync,
} from "./disk_fs.ts";
import { invalidateHash } from "./disk_hashes_pkl.ts";
import { cleanupOndiskFiles, makeOnDiskFilename } from "./disk_ondisk.ts";
import { parsePartPower, relinkPaths, replacePartitionInPath } from "./disk_part_power.ts";
import type { DiskEnv } from "./disk_settings.ts";
import {
  closeFd,
  dropBufferCache,
  ERRNO,
  fallocateKeepSize,
  fdSpace,
  linkFd,
  openTmpFile,
  OsError,
} from "./disk_syscalls.ts";
import { createMd5 } from "./md5.ts";
import { writeMetadata } from "./metadata.ts";

/** Where a writer puts its file. */
export interface WriterTarget {
  /** "/account/container/object", stored as the metadata's "name". */
  readonly name: string;
  /** The object's hash directory. */
  readonly datadir: string;
  /** The device's tmp[-N] directory (used when O_TMPFILE is not available). */
  readonly tmpDir: string;
  /** X-Backend-Next-Part-Power, when a partition power increase is under way. */
  readonly nextPartPower?: string;
}

/** The file kinds a writer makes. */
export type DiskFileExtension = ".data" | ".meta" | ".ts";

// open(O_TMPFILE) errors meaning "not supported here" rather than a failure.
const NO_TMPFILE: readonly number[] = [ERRNO.EOPNOTSUPP, ERRNO.EISDIR, ERRNO.EINVAL];

function isNoSpace(err: unknown): boolean {
  const code = errorCode(err);
  return code === "ENOSPC" || code === "EDQUOT";
}

/** Opens a writer (DiskFileWriter.open()): throws DiskFileNoSpace when space is short. */
export async function openWriter(
  env: DiskEnv,
  target: WriterTarget,
  extension: DiskFileExtension,
  size?: number,
): Promise<DiskWriter> {
  let fd: number | undefined;
  let tmpPath: string | undefined;
  let dirsCreated = 0;
  try {
    if (env.useLinkat) {
      dirsCreated = await makedirsCount(target.datadir);
      try {
        fd = openTmpFile(target.datadir);
      } catch (err) {
        if (!(err instanceof OsError && NO_TMPFILE.includes(err.errno))) throw err;
        env.logger?.debug(`${(err as Error).message}: falling back to mkstemp()`);
        env.useLinkat = false;
      }
    }
    if (fd === undefined) {
      await mkdirs(target.tmpDir);
      ({ fd, path: tmpPath } = mkstemp(target.tmpDir));
    }
  } catch (err) {
    if (isNoSpace(err)) throw new DiskFileNoSpace(`No space for a new file in "${target.datadir}"`);
    throw err;
  }
  let file: Deno.FsFile | undefined;
  try {
    // The same inode through a second descriptor, so data goes through Deno's async I/O.
    file = Deno.openSync(`/proc/self/fd/${fd}`, { write: true });
    if (size !== undefined && size > 0) preallocate(env, fd, size, target.datadir);
  } catch (err) {
    file?.close();
    closeFd(fd);
    if (tmpPath) await removeFile(tmpPath);
    if (isNoSpace(err)) throw new DiskFileNoSpace((err as Error).message);
    throw err;
  }
  return new DiskWriter(env, target, extension, { fd, file, tmpPath, dirsCreated });
}

/** swift.common.utils.fallocate(): the fallocate_reserve check, then the preallocation. */
function preallocate(env: DiskEnv, fd: number, size: number, what: string): void {
  const { fallocateReserve: reserve, disableFallocate } = env.settings;
  if (disableFallocate) return;
  if (reserve.value) {
    const space = fdSpace(fd, what);
    let free = space.free - size;
    if (reserve.isPercent) free = (free / space.total) * 100;
    if (free <= reserve.value) {
      throw new DiskFileNoSpace(
        `Writing ${size} bytes in "${what}" would leave ${free}${reserve.isPercent ? "%" : ""}` +
          ` free, not more than fallocate_reserve ${reserve.value}` +
          (reserve.isPercent ? "%" : ""),
      );
    }
  }
  fallocateKeepSize(fd, size, what);
}

interface OpenFile {
  readonly fd: number;
  readonly file: Deno.FsFile;
  readonly tmpPath?: string;
  readonly dirsCreated: number;
}

/** A file being written; close() it whatever happens. */
export class DiskWriter implements DiskFileWriter {
  readonly #env: DiskEnv;
  readonly #target: WriterTarget;
  readonly #extension: DiskFileExtension;
  readonly #md5 = createMd5();
  #open: OpenFile | undefined;
  #uploadSize = 0;
  #lastSync = 0;
  #putSucceeded = false;

  constructor(env: DiskEnv, target: WriterTarget, extension: DiskFileExtension, open: OpenFile) {
    this.#env = env;
    this.#target = target;
    this.#extension = extension;
    this.#open = open;
  }

  #file(): OpenFile {
    if (!this.#open) throw new DiskFileError(`Writer of "${this.#target.name}" is not open`);
    return this.#open;
  }

  /**
   * Appends a chunk; an fdatasync() every mb_per_sync keeps dirty pages bounded. The write
   * itself goes to the page cache, synchronously as in Swift (an async write costs more CPU
   * than the copy); the fdatasync waits for the disk and is asynchronous.
   */
  async write(chunk: Uint8Array): Promise<void> {
    const { fd, file } = this.#file();
    this.#md5.update(chunk);
    try {
      writeAllSync(file, chunk);
    } catch (err) {
      if (isNoSpace(err)) throw new DiskFileNoSpace(`No space left writing "${this.#target.name}"`);
      throw err;
    }
    this.#uploadSize += chunk.length;
    const diff = this.#uploadSize - this.#lastSync;
    if (diff >= this.#env.settings.bytesPerSync) {
      await file.syncData();
      dropBufferCache(fd, this.#lastSync, diff);
      this.#lastSync = this.#uploadSize;
    }
  }

  chunksFinished(): { uploadSize: number; etag: string } {
    return { uploadSize: this.#uploadSize, etag: this.#md5.copy().digestHex() };
  }

  /** _put() + _finalize_put(): stores `metadata` plus "name" and makes the file visible. */
  async put(metadata: Metadata): Promise<void> {
    const { fd, file, tmpPath, dirsCreated } = this.#file();
    const timestamp = new Timestamp(metadata["X-Timestamp"]);
    const ctype = metadata["Content-Type-Timestamp"];
    const filename = makeOnDiskFilename(
      timestamp,
      this.#extension,
      ctype ? new Timestamp(ctype) : undefined,
    );
    const stored: Metadata = { ...metadata };
    stored.name = this.#target.name;
    const datadir = this.#target.datadir;
    const path = join(datadir, filename);
    try {
      writeMetadata(fd, stored);
    } catch (err) {
      if (err instanceof XattrError && err.code === "ENOTSUP") {
        throw new DiskFileXattrNotSupported(`Filesystem at "${datadir}" does not support xattr`);
      }
      if (isNoSpace(err)) throw new DiskFileNoSpace(`No space left for the metadata of "${path}"`);
      throw err;
    }
    await file.sync();
    dropBufferCache(fd, 0, this.#uploadSize);
    await invalidateHash(dirname(datadir));
    if (tmpPath) await renamer(tmpPath, path);
    else await linkFdToPath(fd, path, dirsCreated);
    const newPath = await this.#relink(path);
    this.#putSucceeded = true;
    await this.#cleanup(datadir);
    if (newPath !== undefined) await this.#partPowerCleanup(path, newPath);
  }

  /** Links the new file into its partition under the next part power, if one is coming. */
  async #relink(path: string): Promise<string | undefined> {
    const next = this.#target.nextPartPower;
    if (!next) return undefined;
    const newPath = replacePartitionInPath(this.#env.settings.devices, path, parsePartPower(next));
    if (newPath !== path) {
      try {
        await fsyncDir(dirname(path));
        await relinkPaths(path, newPath);
      } catch (err) {
        this.#env.logger?.exception(`Relinking ${path} to ${newPath} failed: ${err}`, err);
      }
    }
    return newPath;
  }

  /** _part_power_cleanup(): cleans the object's directory at its other partition. */
  async #partPowerCleanup(path: string, newPath: string): Promise<void> {
    const devices = this.#env.settings.devices;
    const other = newPath !== path ? newPath : replacePartitionInPath(
      devices,
      path,
      parsePartPower(this.#target.nextPartPower!) - 1,
    );
    await this.#cleanup(dirname(other));
  }

  async #cleanup(dir: string): Promise<void> {
    try {
      await cleanupOndiskFiles(dir, this.#env.settings.reclaimAge);
    } catch (err) {
      this.#env.logger?.exception(`Problem cleaning up ${dir}`, err);
    }
  }

  /** Replicated objects need no commit (EC's .durable marker does not exist here). */
  commit(_timestamp: Timestamp): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the file; a temp file never put() is removed (an unnamed one simply vanishes). */
  async close(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    open.file.close();
    closeFd(open.fd);
    if (open.tmpPath && !this.#putSucceeded) {
      try {
        await Deno.remove(open.tmpPath);
      } catch (err) {
        this.#env.logger?.exception(`Error removing tempfile: ${open.tmpPath}`, err);
      }
    }
  }
}

/**
 * link_fd_to_path(): links the open unnamed file at `target`, creating the directory if it
 * vanished meanwhile or replacing a file of the same name, then fsyncs the directory and the
 * `dirsCreated` parents made for it.
 */
async function linkFdToPath(fd: number, target: string, dirsCreated: number): Promise<void> {
  const dir = dirname(target);
  for (let attempt = 1;; attempt++) {
    try {
      linkFd(fd, target);
      break;
    } catch (err) {
      // Swift gives up silently after two attempts; an unlinked object must be an error.
      if (attempt >= 2) throw err;
      const code = errorCode(err);
      if (code === "ENOENT") dirsCreated = await makedirsCount(dir);
      else if (code === "EEXIST") await Deno.remove(target).catch(() => {});
      else throw err;
    }
  }
  await fsyncDirs(dir, dirsCreated);
}
