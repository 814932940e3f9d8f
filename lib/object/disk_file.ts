/**
 * Swift 2.30's DiskFile for a replication policy: one object's hash directory,
 * `<device>/objects[-N]/<partition>/<hash[-3:]>/<hash>/`, opened by choosing its files
 * (disk_ondisk.ts), reading their metadata xattrs and overlaying a fast-POST .meta on the
 * .data the way _construct_from_data_file() does: the .meta's metadata wins except for the
 * data file's Content-Length, ETag, X-Static-Large-Object and sysmeta; the Content-Type comes
 * from whichever of .data, .meta and an older .meta carrying a newer Content-Type set it last.
 *
 * Corruption (unreadable metadata, a size that is not Content-Length, a file where the hash
 * directory belongs) quarantines the directory and reads as DiskFileQuarantined.
 *
 * @module
 */
import { join } from "@std/path";
import type { StoragePolicy } from "../common/storage_policy.ts";
import { Timestamp } from "../common/timestamp.ts";
import { XattrError } from "../common/xattr.ts";
import { hashPath } from "../ring/hash_path.ts";
import type {
  DiskFile,
  DiskFileOptions,
  DiskFileState,
  DiskFileWriter,
  Metadata,
  ObjectLocation,
  OpenDiskFile,
  OpenOptions,
} from "./backend.ts";
import {
  DiskFileCollision,
  DiskFileDeleted,
  DiskFileError,
  DiskFileExpired,
  DiskFileNotExist,
  DiskFileQuarantined,
  DiskFileXattrNotSupported,
} from "./diskfile_errors.ts";
import { errorCode, listdir } from "./disk_fs.ts";
import { getOndiskFiles, type OndiskFiles } from "./disk_ondisk.ts";
import { quarantineRenamer } from "./disk_quarantine.ts";
import { DataFile, DiskReader } from "./disk_reader.ts";
import type { DiskEnv } from "./disk_settings.ts";
import { type DiskFileExtension, openWriter, type WriterTarget } from "./disk_writer.ts";
import { isImmutableMeta } from "./meta_keys.ts";
import { DiskFileBadMetadata, readMetadata } from "./metadata.ts";
import { pyInt } from "./wsgi_text.ts";

/** One object on one device (get_diskfile()). */
export class DiskObject implements DiskFile {
  readonly #env: DiskEnv;
  readonly #devicePath: string;
  readonly #policy: StoragePolicy;
  readonly #options: DiskFileOptions;
  readonly #name: string;
  readonly #datadir: string;

  constructor(
    env: DiskEnv,
    devicePath: string,
    location: ObjectLocation & { readonly policy: StoragePolicy },
    options: DiskFileOptions = {},
  ) {
    this.#env = env;
    this.#devicePath = devicePath;
    this.#policy = location.policy;
    this.#options = options;
    const { account, container, object } = location;
    this.#name = `/${account}/${container}/${object}`;
    const hash = hashPath(account, container, object, env.settings.hashPath);
    this.#datadir = join(
      devicePath,
      location.policy.dataDir,
      location.partition,
      hash.slice(-3),
      hash,
    );
  }

  /** The object's hash directory. */
  get datadir(): string {
    return this.#datadir;
  }

  async readMetadata(options: OpenOptions = {}): Promise<DiskFileState> {
    const opened = await this.#open(options.currentTime);
    opened.data.close();
    return opened.state;
  }

  async open(options: OpenOptions & { readonly keepCache?: boolean } = {}): Promise<OpenDiskFile> {
    const { state, data } = await this.#open(options.currentTime);
    // _verify_data_file() checked that it is an integer, the file's size.
    const size = pyInt(state.metadata["Content-Length"])!;
    const reader = new DiskReader({
      data,
      size,
      etag: state.metadata["ETag"] ?? "",
      chunkSize: this.#env.settings.diskChunkSize,
      keepCache: (options.keepCache ?? false) && size < this.#env.settings.keepCacheSize,
      quarantine: async (reason) => {
        try {
          await this.#quarantine(data.path, reason);
        } catch (err) {
          this.#env.logger?.exception(`ERROR DiskFile ${data.path} close failure: ${err}`, err);
        }
      },
    });
    return { state, reader };
  }

  writer(size?: number): Promise<DiskFileWriter> {
    return openWriter(this.#env, this.#writerTarget(), ".data", size);
  }

  /** write_metadata(): a .meta file of `metadata` (fast POST). */
  async writeMetadata(metadata: Metadata): Promise<void> {
    await this.#writeSmallFile(".meta", metadata);
  }

  /** delete(): a tombstone at `timestamp`; cleanup removes what it makes obsolete. */
  async delete(timestamp: Timestamp): Promise<void> {
    await this.#writeSmallFile(".ts", { "X-Timestamp": timestamp.internal });
  }

  async #writeSmallFile(extension: DiskFileExtension, metadata: Metadata): Promise<void> {
    const writer = await openWriter(this.#env, this.#writerTarget(), extension);
    try {
      await writer.put(metadata);
    } finally {
      await writer.close();
    }
  }

  #writerTarget(): WriterTarget {
    return {
      name: this.#name,
      datadir: this.#datadir,
      tmpDir: join(this.#devicePath, this.#policy.tmpDir),
      nextPartPower: this.#options.nextPartPower,
    };
  }

  /** open(): the state of the object and its opened data file. */
  async #open(currentTime?: Timestamp): Promise<{ state: DiskFileState; data: DataFile }> {
    let files: string[];
    try {
      files = await listdir(this.#datadir);
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOTDIR") {
        throw await this.#quarantine(
          join(this.#datadir, "made-up-filename"),
          `Expected directory, found file at ${this.#datadir}`,
        );
      }
      if (code !== "ENOENT") {
        throw new DiskFileError(`Error listing directory ${this.#datadir}: ${err}`);
      }
      files = [];
    }
    const found = getOndiskFiles(files, this.#datadir);
    if (!found.dataFile) throw await this.#missing(found);
    let data: DataFile;
    try {
      data = DataFile.open(found.dataFile);
    } catch (err) {
      if (errorCode(err) === "ENOENT") throw new DiskFileNotExist();
      throw err;
    }
    try {
      return { state: await this.#construct(found, data, currentTime), data };
    } catch (err) {
      data.close();
      throw err;
    }
  }

  /** _construct_exception_from_ts_file(): Deleted with the tombstone's metadata, or NotExist. */
  async #missing(found: OndiskFiles): Promise<DiskFileNotExist> {
    if (!found.tsFile) return new DiskFileNotExist();
    try {
      return new DiskFileDeleted(await this.#readMetadata(found.tsFile));
    } catch (err) {
      // A corrupt tombstone is quarantined and counts as no object at all.
      if (err instanceof DiskFileQuarantined) return new DiskFileNotExist();
      throw err;
    }
  }

  /** _construct_from_data_file(): the merged metadata, verified against the data file. */
  async #construct(
    found: OndiskFiles,
    data: DataFile,
    currentTime?: Timestamp,
  ): Promise<DiskFileState> {
    const datafileMetadata = await this.#readMetadata(data.path, data.fd);
    const dataTimestamp = new Timestamp(datafileMetadata["X-Timestamp"]);
    let metadata: Metadata;
    let metafileMetadata: Metadata;
    if (found.metaFile) {
      metafileMetadata = await this.#readMetadata(found.metaFile);
      if (found.ctypeFile && found.ctypeFile !== found.metaFile) {
        const ctypeMetadata = await this.#readMetadata(found.ctypeFile);
        const newer = ctypeMetadata["Content-Type-Timestamp"] ?? "";
        if (
          "Content-Type" in ctypeMetadata &&
          newer > (metafileMetadata["Content-Type-Timestamp"] ?? "") &&
          dataTimestamp.lessThan(newer)
        ) {
          metafileMetadata["Content-Type"] = ctypeMetadata["Content-Type"];
          metafileMetadata["Content-Type-Timestamp"] = newer;
        }
      }
      metadata = { ...metafileMetadata };
      for (const [key, value] of Object.entries(datafileMetadata)) {
        if (isImmutableMeta(key)) metadata[key] = value;
      }
      delete metafileMetadata.name;
      if (
        "Content-Type" in datafileMetadata &&
        dataTimestamp.greaterThan(metafileMetadata["Content-Type-Timestamp"])
      ) {
        metadata["Content-Type"] = datafileMetadata["Content-Type"];
        delete metadata["Content-Type-Timestamp"];
      }
    } else {
      metadata = { ...datafileMetadata };
      metafileMetadata = datafileMetadata;
    }
    await this.#verify(data, metadata, currentTime);
    return {
      metadata,
      datafileMetadata,
      metafileMetadata,
      timestamp: new Timestamp(metadata["X-Timestamp"]),
      dataTimestamp,
      durableTimestamp: dataTimestamp,
      contentTypeTimestamp: new Timestamp(
        metadata["Content-Type-Timestamp"] ?? datafileMetadata["X-Timestamp"],
      ),
      contentType: metadata["Content-Type"],
    };
  }

  /** _verify_data_file(): name, expiry, then the size against Content-Length. */
  async #verify(data: DataFile, metadata: Metadata, currentTime?: Timestamp): Promise<void> {
    const dataFile = data.path;
    const name = metadata["name"];
    if (name === undefined) throw await this.#quarantine(dataFile, "missing name metadata");
    if (name !== this.#name) {
      this.#env.logger?.error(
        `Client path ${this.#name} does not match path stored in object metadata ${name}`,
      );
      throw new DiskFileCollision("Client path does not match path stored in object metadata");
    }
    const deleteAt = metadata["X-Delete-At"];
    if (deleteAt !== undefined) {
      const at = pyInt(deleteAt);
      if (at === undefined) {
        throw await this.#quarantine(dataFile, `bad metadata x-delete-at value ${deleteAt}`);
      }
      const now = currentTime ?? Timestamp.now();
      if (now.greaterOrEqual(at) && !this.#options.openExpired) {
        throw new DiskFileExpired(metadata);
      }
    }
    const length = metadata["Content-Length"];
    if (length === undefined) {
      throw await this.#quarantine(dataFile, "missing content-length in metadata");
    }
    const size = pyInt(length);
    if (size === undefined) {
      throw await this.#quarantine(dataFile, `bad metadata content-length value ${length}`);
    }
    const actual = data.file.statSync().size;
    if (actual !== size) {
      throw await this.#quarantine(
        dataFile,
        `metadata content-length ${size} does not match actual object size ${actual}`,
      );
    }
  }

  /** _failsafe_read_metadata() of `path` (or of its open fd): corrupt metadata quarantines. */
  async #readMetadata(path: string, fd?: number): Promise<Metadata> {
    try {
      return readMetadata(fd ?? path);
    } catch (err) {
      if (err instanceof XattrError) {
        if (err.code === "ENOTSUP") {
          throw new DiskFileXattrNotSupported(`Filesystem at "${path}" does not support xattr`);
        }
        if (err.code === "ENOENT") throw new DiskFileNotExist();
      }
      const reason = err instanceof DiskFileBadMetadata
        ? err.reason
        : `Exception reading metadata: ${err}`;
      throw await this.#quarantine(path, reason);
    }
  }

  /** _quarantine(): moves the hash directory aside and says why. */
  async #quarantine(dataFile: string, reason: string): Promise<DiskFileQuarantined> {
    await quarantineRenamer(this.#devicePath, this.#policy.dataDir, dataFile);
    this.#env.logger?.warning(`Quarantined object ${dataFile}: ${reason}`);
    return new DiskFileQuarantined(reason);
  }
}
