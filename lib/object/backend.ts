/**
 * The storage backend the object controller runs on, modelled on Swift's DiskFileManager and
 * DiskFile (swift/obj/diskfile.py; swift/obj/mem_diskfile.py is the in-memory counterpart).
 *
 * Swift's DiskFile is a stateful handle (open() fills properties that later calls read); here
 * each read returns an immutable DiskFileState instead, so a handler cannot read a property of
 * a file it never opened. Everything is async and streamed: a reader yields chunks of ranges,
 * a writer takes chunks as they arrive, so no layer ever holds a whole object.
 *
 * Failures are the typed errors of diskfile_errors.ts; the controller maps them to responses.
 */
import type { Timestamp } from "../common/timestamp.ts";

/**
 * Object metadata as Swift stores it (pickled in the files' xattrs): header-like keys such as
 * "X-Timestamp", "Content-Type", "Content-Length", "ETag", "X-Object-Meta-Color", "name".
 * Keys keep the case the controller gave them; Swift compares them case-sensitively.
 */
export type Metadata = Record<string, string>;

/** Where an object lives: the parts of its request path and its storage policy. */
export interface ObjectLocation {
  readonly device: string;
  readonly partition: string;
  readonly account: string;
  readonly container: string;
  readonly object: string;
  /** The storage policy index (X-Backend-Storage-Policy-Index, 0 when absent). */
  readonly policyIndex: number;
}

/** The keyword arguments of Swift's get_diskfile() that change what a handle sees. */
export interface DiskFileOptions {
  /** Treat expired objects as present (x-backend-replication requests). */
  readonly openExpired?: boolean;
  /** X-Backend-Ssync-Frag-Index: only this fragment index counts (EC policies). */
  readonly fragIndex?: string;
  /** Parsed X-Backend-Fragment-Preferences (EC policies). */
  readonly fragPrefs?: unknown;
  /** X-Backend-Next-Part-Power: also write to the partition of the next part power. */
  readonly nextPartPower?: string;
}

/** A pending container (or expirer queue) update that could not be sent: async_pending. */
export interface AsyncUpdate {
  readonly op: "PUT" | "DELETE";
  readonly account: string;
  readonly container: string;
  readonly object: string;
  /** The headers the container server should get, title-cased as HeaderKeyDict keeps them. */
  readonly headers: Readonly<Record<string, string>>;
  /** `account/container` to update instead of account and container (shard redirects). */
  readonly containerPath?: string;
  /** x-meta-timestamp or x-timestamp of the update: the async_pending file's name. */
  readonly timestamp: string;
  /** The object's device, which holds the async_pending directory. */
  readonly device: string;
  readonly policyIndex: number;
}

/** Swift's DiskFileManager (DiskFileRouter[policy]): hands out per-object handles. */
export interface ObjectBackend {
  /** get_diskfile(); throws DiskFileDeviceUnavailable when the device cannot be used. */
  diskFile(location: ObjectLocation, options?: DiskFileOptions): Promise<DiskFile>;
  /** pickle_async_update(): keeps an update for the object-updater to retry. */
  saveAsyncUpdate(update: AsyncUpdate): Promise<void>;
  /**
   * get_hashes() for REPLICATE: suffix -> hash of a partition (a Map keeps hashes.pkl's key
   * order, which a Record would not for all-digit suffixes), or null when the suffixes asked
   * for were only invalidated (Swift's skip_rehash). Backends without it make the server
   * answer REPLICATE with 405, as Swift's mem_server does.
   */
  getHashes?(
    device: string,
    partition: string,
    suffixes: readonly string[],
    policyIndex: number,
  ): Promise<
    ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>> | null
  >;
}

/** What open() learns about an object: its metadata and the timestamps of its files. */
export interface DiskFileState {
  /** The data file's metadata overlaid by the .meta file's (get_metadata()). */
  readonly metadata: Readonly<Metadata>;
  /** The data file's own metadata (get_datafile_metadata()). */
  readonly datafileMetadata: Readonly<Metadata>;
  /** The .meta file's metadata, or the data file's when there is none (get_metafile_metadata()). */
  readonly metafileMetadata: Readonly<Metadata>;
  /** X-Timestamp of the newest of the data and .meta files. */
  readonly timestamp: Timestamp;
  /** X-Timestamp of the data file. */
  readonly dataTimestamp: Timestamp;
  /** X-Timestamp of the durable data file (EC), or undefined when none is durable. */
  readonly durableTimestamp?: Timestamp;
  /** When the current Content-Type was set (a POST may change it after the PUT). */
  readonly contentTypeTimestamp: Timestamp;
  /** The current Content-Type. */
  readonly contentType?: string;
  /** EC fragments on disk: internal timestamp -> fragment indexes (X-Backend-Fragments). */
  readonly fragments?: Readonly<Record<string, readonly number[]>>;
}

/** What to check while opening. */
export interface OpenOptions {
  /** Time (seconds) against which X-Delete-At is compared; now when absent. */
  readonly currentTime?: Timestamp;
}

/** An opened object: its state and a reader that the caller must close. */
export interface OpenDiskFile {
  readonly state: DiskFileState;
  readonly reader: DiskFileReader;
}

/** One object's handle (Swift's DiskFile). */
export interface DiskFile {
  /**
   * read_metadata(): opens, reads the state and closes. Throws DiskFileNotExist (no object),
   * DiskFileDeleted (a tombstone, with its timestamp), DiskFileExpired (with the metadata),
   * DiskFileQuarantined or DiskFileCollision.
   */
  readMetadata(options?: OpenOptions): Promise<DiskFileState>;
  /** open() and reader(): throws as readMetadata(). */
  open(options?: OpenOptions & { readonly keepCache?: boolean }): Promise<OpenDiskFile>;
  /** writer(size): a new data file of `size` bytes when known (preallocated); may throw NoSpace. */
  writer(size?: number): Promise<DiskFileWriter>;
  /** write_metadata(): a .meta file (POST); the controller decides the timestamps. */
  writeMetadata(metadata: Metadata): Promise<void>;
  /** delete(): a tombstone at `timestamp`, removing older files. */
  delete(timestamp: Timestamp): Promise<void>;
}

/** The data of an opened object, read as byte ranges (Swift's DiskFileReader). */
export interface DiskFileReader {
  /** The object's length in bytes. */
  readonly size: number;
  /**
   * The bytes [start, stop), in chunks; the whole object is range(0, size). Reading it all
   * from 0 lets the backend verify the ETag and quarantine a corrupt object on close().
   */
  range(start: number, stop: number): AsyncIterable<Uint8Array>;
  /** Releases the object (idempotent). */
  close(): Promise<void>;
}

/** A data file being written (Swift's DiskFileWriter). */
export interface DiskFileWriter {
  /** Appends a chunk of the upload. */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far and the MD5 hex digest of them. */
  chunksFinished(): { readonly uploadSize: number; readonly etag: string };
  /** Makes the data visible under the object's name with `metadata`. */
  put(metadata: Metadata): Promise<void>;
  /** Marks the data durable (EC's .durable; a no-op for replicated policies). */
  commit(timestamp: Timestamp): Promise<void>;
  /** Releases temporary files; data not yet put() is discarded (idempotent). */
  close(): Promise<void>;
}
