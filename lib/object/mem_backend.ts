/**
 * The in-memory backend, equivalent to swift/obj/mem_diskfile.py (InMemoryFileSystem), so the
 * object server over it answers as Swift's mem_server does, quirks included:
 * - objects are keyed by "/account/container/object" only (device, partition and policy are
 *   ignored, so one object is seen from every device);
 * - DELETE removes the object and keeps no tombstone: a later GET says DiskFileDeleted with
 *   timestamp 0, and an older PUT is accepted;
 * - a POST replaces the metadata except the data file's size, ETag and sysmeta, so a POST
 *   without Content-Type drops it, and every timestamp reads X-Timestamp (the POST's);
 * - an expired object is DiskFileNotExist (no timestamp), async updates are dropped.
 *
 * Data is kept as the uploaded chunks (copied), never joined into one buffer. Memory is
 * unbounded, as in Swift, unless `maxBytes` is given: a write that would take the stored
 * object data beyond it fails with DiskFileNoSpace (507).
 */
import { createHash } from "node:crypto";
import { Timestamp } from "../common/timestamp.ts";
import type {
  AsyncUpdate,
  DiskFile,
  DiskFileReader,
  DiskFileState,
  DiskFileWriter,
  Metadata,
  ObjectBackend,
  ObjectLocation,
  OpenDiskFile,
  OpenOptions,
} from "./backend.ts";
import {
  DiskFileDeleted,
  DiskFileNoSpace,
  DiskFileNotExist,
  DiskFileQuarantined,
} from "./diskfile_errors.ts";
import { isImmutableMeta } from "./meta_keys.ts";
import { pyInt } from "./wsgi_text.ts";

/** Settings of the in-memory backend. */
export interface MemBackendOptions {
  /** Most bytes of object data kept at once; unlimited when absent. */
  readonly maxBytes?: number;
}

interface StoredObject {
  readonly chunks: readonly Uint8Array[];
  readonly size: number;
  readonly metadata: Metadata;
}

/** Swift's InMemoryFileSystem behind the ObjectBackend interface. */
export class MemBackend implements ObjectBackend {
  readonly #objects = new Map<string, StoredObject>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: MemBackendOptions = {}) {
    this.#maxBytes = options.maxBytes ?? Infinity;
  }

  /** Bytes of object data held. */
  get storedBytes(): number {
    return this.#bytes;
  }

  /** get_diskfile(): a handle on "/account/container/object". */
  diskFile(location: ObjectLocation): Promise<DiskFile> {
    const name = `/${location.account}/${location.container}/${location.object}`;
    return Promise.resolve(new MemDiskFile(this, name));
  }

  /** mem_diskfile's pickle_async_update() keeps nothing ("don't handle async updates"). */
  saveAsyncUpdate(_update: AsyncUpdate): Promise<void> {
    return Promise.resolve();
  }

  /** The stored object of `name`. */
  get(name: string): StoredObject | undefined {
    return this.#objects.get(name);
  }

  /** Stores (or replaces) `name`. */
  put(name: string, object: StoredObject): void {
    this.#bytes += object.size - (this.#objects.get(name)?.size ?? 0);
    this.#objects.set(name, object);
  }

  /** Forgets `name`. */
  remove(name: string): void {
    this.#bytes -= this.#objects.get(name)?.size ?? 0;
    this.#objects.delete(name);
  }

  /** Throws DiskFileNoSpace when `more` bytes would go beyond maxBytes. */
  reserve(more: number): void {
    if (this.#bytes + more > this.#maxBytes) {
      throw new DiskFileNoSpace(
        `In-memory object store is full: ${this.#bytes} of ${this.#maxBytes} bytes used`,
      );
    }
  }
}

/** mem_diskfile's DiskFile: every timestamp is the metadata's X-Timestamp. */
class MemDiskFile implements DiskFile {
  readonly #fs: MemBackend;
  readonly #name: string;

  constructor(fs: MemBackend, name: string) {
    this.#fs = fs;
    this.#name = name;
  }

  async readMetadata(options: OpenOptions = {}): Promise<DiskFileState> {
    return (await this.open(options)).state;
  }

  open(options: OpenOptions = {}): Promise<OpenDiskFile> {
    const stored = this.#fs.get(this.#name);
    if (!stored) return Promise.reject(new DiskFileDeleted());
    this.#verify(stored, options.currentTime);
    const metadata = { ...stored.metadata };
    const timestamp = new Timestamp(metadata["X-Timestamp"]);
    const state: DiskFileState = {
      metadata,
      datafileMetadata: metadata,
      metafileMetadata: metadata,
      timestamp,
      dataTimestamp: timestamp,
      durableTimestamp: timestamp,
      contentTypeTimestamp: timestamp,
      contentType: metadata["Content-Type"],
    };
    return Promise.resolve({ state, reader: new MemReader(stored) });
  }

  /** _verify_data_file(): expiry, then the size recorded against the data's. */
  #verify(stored: StoredObject, currentTime: Timestamp | undefined): void {
    const deleteAt = stored.metadata["X-Delete-At"];
    if (deleteAt !== undefined) {
      const at = pyInt(deleteAt);
      if (at === undefined) throw this.#quarantine(`bad metadata x-delete-at value ${deleteAt}`);
      const now = currentTime ?? Timestamp.now();
      if (!now.lessThan(at)) throw new DiskFileNotExist("Expired");
    }
    const length = stored.metadata["Content-Length"];
    if (length === undefined) throw this.#quarantine("missing content-length in metadata");
    const size = pyInt(length);
    if (size === undefined) throw this.#quarantine(`bad metadata content-length value ${length}`);
    if (size !== stored.size) {
      throw this.#quarantine(
        `metadata content-length ${size} does not match actual object size ${stored.size}`,
      );
    }
  }

  /** mem_diskfile quarantines by deleting. */
  #quarantine(message: string): DiskFileQuarantined {
    this.#fs.remove(this.#name);
    return new DiskFileQuarantined(message);
  }

  writer(): Promise<DiskFileWriter> {
    return Promise.resolve(new MemWriter(this.#fs, this.#name));
  }

  /** write_metadata(): new metadata plus the data file's immutable keys, if the data exists. */
  writeMetadata(metadata: Metadata): Promise<void> {
    const stored = this.#fs.get(this.#name);
    if (stored) {
      const merged: Metadata = { ...metadata };
      for (const [key, value] of Object.entries(stored.metadata)) {
        if (isImmutableMeta(key)) merged[key] = value;
      }
      merged.name = this.#name;
      this.#fs.put(this.#name, { ...stored, metadata: merged });
    }
    return Promise.resolve();
  }

  /** delete(): removes the object when it is older than `timestamp`. */
  delete(timestamp: Timestamp): Promise<void> {
    const stored = this.#fs.get(this.#name);
    if (stored && new Timestamp(stored.metadata["X-Timestamp"]).lessThan(timestamp)) {
      this.#fs.remove(this.#name);
    }
    return Promise.resolve();
  }
}

/** Reads ranges out of the stored chunks, one copied slice per chunk. */
class MemReader implements DiskFileReader {
  readonly #stored: StoredObject;
  readonly size: number;

  constructor(stored: StoredObject) {
    this.#stored = stored;
    this.size = stored.size;
  }

  async *range(start: number, stop: number): AsyncGenerator<Uint8Array> {
    let offset = 0;
    for (const chunk of this.#stored.chunks) {
      const end = offset + chunk.length;
      if (end > start && offset < stop) {
        yield chunk.slice(Math.max(start - offset, 0), Math.min(stop - offset, chunk.length));
      }
      offset = end;
      if (offset >= stop) break;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Collects the upload's chunks and MD5; put() publishes them. */
class MemWriter implements DiskFileWriter {
  readonly #fs: MemBackend;
  readonly #name: string;
  readonly #md5 = createHash("md5");
  #chunks: Uint8Array[] = [];
  #size = 0;

  constructor(fs: MemBackend, name: string) {
    this.#fs = fs;
    this.#name = name;
  }

  write(chunk: Uint8Array): Promise<void> {
    try {
      this.#fs.reserve(this.#size + chunk.length);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#chunks.push(chunk.slice());
    this.#size += chunk.length;
    this.#md5.update(chunk);
    return Promise.resolve();
  }

  chunksFinished(): { uploadSize: number; etag: string } {
    return { uploadSize: this.#size, etag: this.#md5.copy().digest("hex") };
  }

  put(metadata: Metadata): Promise<void> {
    this.#fs.put(this.#name, {
      chunks: this.#chunks,
      size: this.#size,
      metadata: { ...metadata, name: this.#name },
    });
    this.#chunks = [];
    return Promise.resolve();
  }

  commit(_timestamp: Timestamp): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#chunks = [];
    return Promise.resolve();
  }
}
