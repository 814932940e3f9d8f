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
import { openRawFd, type RawFd } from "../common/raw_fd.ts";
import type { DiskFileReader } from "./backend.ts";
import { errorCode } from "./disk_fs.ts";
import { dropBufferCache } from "./disk_syscalls.ts";
import { createMd5, type Md5 } from "./md5.ts";

/** Swift's DROP_CACHE_WINDOW: bytes read between two cache drops. */
const DROP_CACHE_WINDOW = 1024 * 1024;

/**
 * Reads of a large range are this big (or disk_chunk_size, if larger): each read costs a
 * fixed ~100 µs in Deno besides the copy, which capped a GET at ~450 MiB/s in 64 KiB reads
 * on a cached file. A client sees the same bytes; only the chunks on the wire are larger.
 */
const LARGE_READ = 1024 * 1024;

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

  /**
   * Opens `path` read-only; RawFdError (code "ENOENT"...) when it cannot be. Synchronous, as
   * Swift's open(): an open of a local file takes microseconds, an async one costs more CPU.
   */
  static open(path: string): DataFile {
    const raw = openRawFd(path);
    try {
      return new DataFile(raw, Deno.openSync(`/proc/self/fd/${raw.fd}`, { read: true }), path);
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
  #md5: Md5 | undefined;
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
    data.file.seekSync(start, Deno.SeekMode.Start);
    // A range of one chunk or less is read synchronously, as Swift reads: an async read costs
    // more CPU than a small read from the page cache. Larger ranges keep the event loop free.
    const sync = stop - start <= chunkSize;
    let dropped = start;
    this.#bytesRead = 0;
    this.#readToEof = false;
    this.#startedAt0 = start === 0;
    this.#md5 = this.#startedAt0 ? createMd5() : undefined;
    let length = stop - start;
    while (true) {
      // A read of what the range still wants (a little more, to see the end of the file),
      // from 4 KiB up to a chunk, or LARGE_READ for ranges larger than a chunk: a small
      // object's GET then allocates a few KiB, not two 64 KiB buffers.
      const buffer = new Uint8Array(
        Math.min(sync ? chunkSize : Math.max(chunkSize, LARGE_READ), Math.max(length + 1, 4096)),
      );
      const n = await this.#read(buffer, sync);
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

  /** Reads into `buffer`; an EIO quarantines the object before the error goes on. */
  async #read(buffer: Uint8Array, sync: boolean): Promise<number | null> {
    try {
      return sync
        ? this.#source.data.file.readSync(buffer)
        : await this.#source.data.file.read(buffer);
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
        const md5 = this.#md5?.digestHex();
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
