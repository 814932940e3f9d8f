/**
 * Swift 2.30's DiskFileReader: an opened data file read in disk_chunk_size chunks, by range.
 * A range that starts at 0 and reaches the end of the file is checked as it streams: when the
 * reader closes, a byte count different from Content-Length or an md5 different from the
 * ETag quarantines the object (the client already has the bytes; the next GET gets a 404 and
 * replication restores a good copy). An EIO while reading quarantines it too. Pages read are
 * dropped from the cache every MiB unless the object is to be kept there (keep_cache).
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { openRawFd, type RawFd } from "../common/raw_fd.ts";
import type { DiskFileReader } from "./backend.ts";
import { errorCode } from "./disk_fs.ts";
import { dropBufferCache } from "./disk_syscalls.ts";

/** Swift's DROP_CACHE_WINDOW: bytes read between two cache drops. */
const DROP_CACHE_WINDOW = 1024 * 1024;

/**
 * A data file opened once as a raw fd, for its xattrs and cache hints (so metadata comes from
 * the very file being read, even if a newer PUT unlinks its name meanwhile, as Swift reads it
 * from its fd), and reopened through /proc/self/fd for Deno's async reads.
 */
export class DataFile {
  readonly #raw: RawFd;
  readonly file: Deno.FsFile;
  readonly path: string;

  private constructor(raw: RawFd, file: Deno.FsFile, path: string) {
    this.#raw = raw;
    this.file = file;
    this.path = path;
  }

  /** Opens `path` read-only; RawFdError (code "ENOENT"...) when it cannot be. */
  static async open(path: string): Promise<DataFile> {
    const raw = openRawFd(path);
    try {
      return new DataFile(raw, await Deno.open(`/proc/self/fd/${raw.fd}`, { read: true }), path);
    } catch (err) {
      raw.close();
      throw err;
    }
  }

  /** The raw fd (for fgetxattr and posix_fadvise). */
  get fd(): number {
    return this.#raw.fd;
  }

  /** Closes both descriptors. */
  close(): void {
    this.file.close();
    this.#raw.close();
  }
}

/** What a reader needs to know about its file. */
export interface ReaderSource {
  readonly data: DataFile;
  /** The verified size (Content-Length). */
  readonly size: number;
  /** The metadata's ETag, which the data must hash to. */
  readonly etag: string;
  readonly chunkSize: number;
  /** Leave the pages read in the page cache (keep_cache, for objects below keep_cache_size). */
  readonly keepCache: boolean;
  /** Moves the object to quarantine, logging `reason`. */
  readonly quarantine: (reason: string) => Promise<void>;
}

/** Reads ranges of one data file; close() it whatever happens. */
export class DiskReader implements DiskFileReader {
  readonly size: number;
  readonly #source: ReaderSource;
  #open = true;
  #md5: Hash | undefined;
  #bytesRead = 0;
  #startedAt0 = false;
  #readToEof = false;

  constructor(source: ReaderSource) {
    this.#source = source;
    this.size = source.size;
  }

  /** app_iter_range(start, stop): reads on past `stop` to the end of file only by a chunk. */
  async *range(start: number, stop: number): AsyncGenerator<Uint8Array> {
    const { data, chunkSize } = this.#source;
    if (!this.#open) throw new Error(`Reader of "${data.path}" is closed`);
    await data.file.seek(start, Deno.SeekMode.Start);
    let dropped = start;
    this.#bytesRead = 0;
    this.#readToEof = false;
    this.#startedAt0 = start === 0;
    this.#md5 = this.#startedAt0 ? createHash("md5") : undefined;
    let length = stop - start;
    while (true) {
      const buffer = new Uint8Array(chunkSize);
      const n = await this.#read(buffer);
      const position = start + this.#bytesRead + (n ?? 0);
      if (n === null || position - dropped > DROP_CACHE_WINDOW) {
        this.#dropCache(dropped, position - dropped);
        dropped = position;
      }
      if (n === null) {
        this.#readToEof = true;
        return;
      }
      const chunk = buffer.subarray(0, n);
      this.#md5?.update(chunk);
      this.#bytesRead += n;
      length -= n;
      if (length < 0) {
        if (n + length > 0) yield chunk.subarray(0, n + length);
        return;
      }
      yield chunk;
    }
  }

  #dropCache(offset: number, length: number): void {
    if (!this.#source.keepCache && length > 0) {
      dropBufferCache(this.#source.data.fd, offset, length);
    }
  }

  async #read(buffer: Uint8Array): Promise<number | null> {
    try {
      return await this.#source.data.file.read(buffer);
    } catch (err) {
      if (errorCode(err) === "EIO") await this.#source.quarantine(String(err));
      throw err;
    }
  }

  /** Closes the file, quarantining the object if a full read found it corrupt. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      if (this.#startedAt0 && this.#readToEof) {
        const { size, etag, quarantine } = this.#source;
        const md5 = this.#md5?.digest("hex");
        if (this.#bytesRead !== size) {
          await quarantine(`Bytes read: ${this.#bytesRead}, does not match metadata: ${size}`);
        } else if (md5 && etag !== md5) {
          await quarantine(`ETag ${etag} and file's md5 ${md5} do not match`);
        }
      }
    } finally {
      this.#source.data.close();
    }
  }
}
