/**
 * Swift 2.30's DiskFileReader: an opened data file read in disk_chunk_size chunks, by range.
 * A range that starts at 0 and reaches the end of the file is checked as it streams: when the
 * reader closes, a byte count different from Content-Length or an md5 different from the
 * ETag quarantines the object (the client already has the bytes; the next GET gets a 404 and
 * replication restores a good copy). An EIO while reading quarantines it too.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { DiskFileReader } from "./backend.ts";
import { errorCode } from "./disk_fs.ts";

/** What a reader needs to know about its file. */
export interface ReaderSource {
  readonly file: Deno.FsFile;
  readonly dataFile: string;
  /** The verified size (Content-Length). */
  readonly size: number;
  /** The metadata's ETag, which the data must hash to. */
  readonly etag: string;
  readonly chunkSize: number;
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
    const { file, chunkSize } = this.#source;
    if (!this.#open) throw new Error(`Reader of "${this.#source.dataFile}" is closed`);
    await file.seek(start, Deno.SeekMode.Start);
    this.#bytesRead = 0;
    this.#readToEof = false;
    this.#startedAt0 = start === 0;
    this.#md5 = this.#startedAt0 ? createHash("md5") : undefined;
    let length = stop - start;
    while (true) {
      const buffer = new Uint8Array(chunkSize);
      const n = await this.#read(buffer);
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

  async #read(buffer: Uint8Array): Promise<number | null> {
    try {
      return await this.#source.file.read(buffer);
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
      this.#source.file.close();
    }
  }
}
