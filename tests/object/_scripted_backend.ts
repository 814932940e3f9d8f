/**
 * Backends for controller tests: a MemBackend that records what reaches it (chunks written,
 * chunks read, async updates), and one whose reads fail with a chosen DiskFile error, to
 * exercise answers only a disk backend gives (tombstones, expiry with metadata, full disks).
 */
import type {
  AsyncUpdate,
  DiskFile,
  DiskFileOptions,
  DiskFileReader,
  DiskFileState,
  DiskFileWriter,
  Metadata,
  ObjectBackend,
  ObjectLocation,
  OpenDiskFile,
} from "../../lib/object/backend.ts";
import type { Timestamp } from "../../lib/common/timestamp.ts";
import { MemBackend } from "../../lib/object/mem_backend.ts";

/** What a RecordingBackend saw. */
export interface Recorded {
  /** Sizes of the chunks given to writers, in order. */
  readonly written: number[];
  /** Sizes of the chunks readers yielded, in order. */
  readonly read: number[];
  readonly asyncUpdates: AsyncUpdate[];
  readonly locations: ObjectLocation[];
  readonly options: DiskFileOptions[];
  /** Metadata given to writeMetadata(). */
  readonly posted: Metadata[];
  /** Timestamps given to delete(). */
  readonly deleted: Timestamp[];
}

/** MemBackend plus a record of every call that carries data. */
export class RecordingBackend implements ObjectBackend {
  readonly mem: MemBackend;
  readonly seen: Recorded = {
    written: [],
    read: [],
    asyncUpdates: [],
    locations: [],
    options: [],
    posted: [],
    deleted: [],
  };
  /** Called after each chunk a writer takes (tests use it to pace an upload). */
  onWrite: (total: number) => void = () => {};

  constructor(mem = new MemBackend()) {
    this.mem = mem;
  }

  async diskFile(location: ObjectLocation, options: DiskFileOptions = {}): Promise<DiskFile> {
    this.seen.locations.push(location);
    this.seen.options.push(options);
    const inner = await this.mem.diskFile(location);
    const seen = this.seen;
    const onWrite = (total: number) => this.onWrite(total);
    return {
      readMetadata: (o) => inner.readMetadata(o),
      async open(o): Promise<OpenDiskFile> {
        const opened = await inner.open(o);
        return { state: opened.state, reader: recordingReader(opened.reader, seen.read) };
      },
      async writer(size): Promise<DiskFileWriter> {
        const writer = await inner.writer(size);
        let total = 0;
        return {
          async write(chunk) {
            seen.written.push(chunk.length);
            await writer.write(chunk);
            total += chunk.length;
            onWrite(total);
          },
          chunksFinished: () => writer.chunksFinished(),
          put: (m) => writer.put(m),
          commit: (t) => writer.commit(t),
          close: () => writer.close(),
        };
      },
      writeMetadata(metadata) {
        seen.posted.push({ ...metadata });
        return inner.writeMetadata(metadata);
      },
      delete(timestamp) {
        seen.deleted.push(timestamp);
        return inner.delete(timestamp);
      },
    };
  }

  saveAsyncUpdate(update: AsyncUpdate): Promise<void> {
    this.seen.asyncUpdates.push(update);
    return Promise.resolve();
  }
}

function recordingReader(reader: DiskFileReader, read: number[]): DiskFileReader {
  return {
    size: reader.size,
    async *range(start, stop) {
      for await (const chunk of reader.range(start, stop)) {
        read.push(chunk.length);
        yield chunk;
      }
    },
    close: () => reader.close(),
  };
}

/** How each DiskFile call of a FailingBackend behaves. */
export interface Script {
  /** Thrown by diskFile(). */
  readonly getDiskFile?: Error;
  /** Thrown by readMetadata() and open(). */
  readonly read?: Error;
  /** What readMetadata()/open() return when `read` is not set. */
  readonly state?: DiskFileState;
  /** Thrown by writer().write(). */
  readonly write?: Error;
  /** Thrown by writeMetadata(). */
  readonly post?: Error;
  /** Thrown by delete(). */
  readonly delete?: Error;
}

/** A backend whose calls fail (or answer) as scripted; it stores nothing. */
export class FailingBackend implements ObjectBackend {
  readonly script: Script;
  readonly asyncUpdates: AsyncUpdate[] = [];
  readonly deleted: Timestamp[] = [];

  constructor(script: Script) {
    this.script = script;
  }

  diskFile(): Promise<DiskFile> {
    const { script } = this;
    if (script.getDiskFile) return Promise.reject(script.getDiskFile);
    const deleted = this.deleted;
    const read = (): Promise<DiskFileState> =>
      script.read ? Promise.reject(script.read) : Promise.resolve(script.state!);
    return Promise.resolve({
      readMetadata: read,
      async open(): Promise<OpenDiskFile> {
        const state = await read();
        const size = Number(state.metadata["Content-Length"]);
        return {
          state,
          reader: {
            size,
            async *range(start, stop) {
              yield new Uint8Array(stop - start);
            },
            close: () => Promise.resolve(),
          },
        };
      },
      writer(): Promise<DiskFileWriter> {
        return Promise.resolve({
          write: () => script.write ? Promise.reject(script.write) : Promise.resolve(),
          chunksFinished: () => ({ uploadSize: 0, etag: "d41d8cd98f00b204e9800998ecf8427e" }),
          put: () => Promise.resolve(),
          commit: () => Promise.resolve(),
          close: () => Promise.resolve(),
        });
      },
      writeMetadata: () => script.post ? Promise.reject(script.post) : Promise.resolve(),
      delete(timestamp: Timestamp) {
        deleted.push(timestamp);
        return script.delete ? Promise.reject(script.delete) : Promise.resolve();
      },
    });
  }

  saveAsyncUpdate(update: AsyncUpdate): Promise<void> {
    this.asyncUpdates.push(update);
    return Promise.resolve();
  }
}
