import { basename, dirname, join } from "@std/path";
import { crc32, deflateRawSync, gunzipSync } from "node:zlib";
import { RingFileError } from "./errors.ts";
import { type JsonValue, pythonJsonDumps } from "../common/python_json.ts";

// The on-disk format of swift/common/ring/ring.py RingData.serialize_v1 (Swift 2.30): a gzip
// stream holding b"R1NG", a big-endian u16 format version (1), a big-endian u32 length, that many
// bytes of JSON metadata, then one array of unsigned 16-bit device ids per replica, each
// partition_count long (the last may be shorter for fractional replicas), in "byteorder".

/** A device as Swift's ring stores it; keys keep Swift's snake_case because they are on disk. */
export interface RingDevice {
  /** Index of the device in the ring's `devs` list. */
  readonly id: number;
  /** Region number; rings older than regions get 1, as Swift does. */
  readonly region: number;
  /** Zone number within the region. */
  readonly zone: number;
  /** Address the proxy talks to. */
  readonly ip: string;
  /** Port the proxy talks to. */
  readonly port: number;
  /** Address replicators talk to; defaults to `ip`. */
  readonly replication_ip: string;
  /** Port replicators talk to; defaults to `port`. */
  readonly replication_port: number;
  /** Directory name under the devices root, e.g. "sdb1". */
  readonly device: string;
  /** Relative share of partitions the builder gave this device. */
  readonly weight: number;
  /** Free-form operator notes. */
  readonly meta: string;
  /** Any other key Swift or an operator put in the device dict, kept as read. */
  readonly [key: string]: unknown;
}

/** The contents of a ring file (Swift's RingData). */
export interface RingData {
  /** Devices by id; `null` where a device was removed, as in Swift's list with holes. */
  readonly devs: readonly (RingDevice | null)[];
  /** For each replica, the device id of every partition (Swift's `_replica2part2dev_id`). */
  readonly replica2part2dev: readonly Uint16Array[];
  /** 32 - part power: the top bits of a path hash pick the partition. */
  readonly partShift: number;
  /** Set while a partition power increase is in progress, else null. */
  readonly nextPartPower: number | null;
  /** Builder version that wrote this ring, or null in rings that lack it. */
  readonly version: number | null;
}

/** Options for encodeRingData(). */
export interface EncodeRingOptions {
  /** Name stored in the gzip header (Swift stores the ring's own file name). */
  readonly filename?: string;
  /** gzip header mtime; Swift pins it so equal rings are equal bytes. */
  readonly mtime?: number;
}

const MAGIC = "R1NG";
const FORMAT_VERSION = 1;
/** Swift's RingData.save() default, so the bytes do not depend on when the ring was written. */
const SWIFT_GZIP_MTIME = 1300507380;
const FLOAT_KEYS: ReadonlySet<string> = new Set(["weight"]);

/** Reads and validates a ring file as Swift's RingData.load() does (R1NG format only). */
export function readRingData(path: string): RingData {
  let gz: Uint8Array;
  try {
    gz = Deno.readFileSync(path);
  } catch (err) {
    throw new RingFileError(path, `cannot read the file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return decodeRingData(gz, path);
}

/** Parses the bytes of a ring file; `path` only names the source in errors. */
export function decodeRingData(gz: Uint8Array, path: string): RingData {
  let raw: Uint8Array;
  try {
    raw = gunzipSync(gz);
  } catch (err) {
    throw new RingFileError(
      path,
      `gzip stream is truncated or corrupt (${(err as Error).message}); file size is ${gz.length}`,
      { cause: err },
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = new TextDecoder("latin1").decode(raw.subarray(0, 4));
  if (magic !== MAGIC || raw.length < 10) {
    throw new RingFileError(
      path,
      `expected a "R1NG" ring (old pickled rings are not supported): ` +
        `found magic ${JSON.stringify(magic)} in ${raw.length} uncompressed bytes`,
    );
  }
  const formatVersion = view.getUint16(4);
  if (formatVersion !== FORMAT_VERSION) {
    throw new RingFileError(path, `unknown ring format version ${formatVersion}`);
  }
  const jsonLength = view.getUint32(6);
  const jsonEnd = 10 + jsonLength;
  if (jsonEnd > raw.length) {
    throw new RingFileError(
      path,
      `metadata is truncated: header says ${jsonLength} bytes, ${raw.length - 10} remain`,
    );
  }
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw.subarray(10, jsonEnd)));
  } catch (err) {
    throw new RingFileError(path, `metadata is not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw new RingFileError(path, `metadata must be a JSON object: found ${typeof meta}`);
  }
  const header = meta as Record<string, unknown>;
  const partShift = integerField(header, "part_shift", { path, min: 0, max: 32 });
  const replicaCount = integerField(header, "replica_count", { path, min: 0, max: 0xffff });
  const devs = decodeDevices(header.devs, path);
  const littleEndian = byteOrder(header.byteorder, path);
  const partitionCount = 2 ** (32 - partShift);
  const replica2part2dev: Uint16Array[] = [];
  let offset = jsonEnd;
  for (let replica = 0; replica < replicaCount; replica++) {
    const bytes = Math.min(2 * partitionCount, raw.length - offset);
    const last = replica === replicaCount - 1;
    // Only the last row may be short: that is how Swift stores a fractional replica.
    if ((!last && bytes < 2 * partitionCount) || bytes % 2 !== 0) {
      throw new RingFileError(
        path,
        `partition table is truncated: replica ${replica} of ${replicaCount} has ${bytes} ` +
          `bytes, expected ${2 * partitionCount}`,
      );
    }
    replica2part2dev.push(
      readRow(view.buffer, view.byteOffset + offset, { length: bytes / 2, littleEndian }),
    );
    offset += bytes;
  }
  checkDeviceIds(replica2part2dev, { devs, path });
  return {
    devs,
    replica2part2dev,
    partShift,
    nextPartPower: optionalInteger(header, "next_part_power", { path }),
    version: optionalInteger(header, "version", { path }),
  };
}

function readRow(
  buffer: ArrayBufferLike,
  offset: number,
  { length, littleEndian }: { length: number; littleEndian: boolean },
): Uint16Array {
  const view = new DataView(buffer, offset, 2 * length);
  const row = new Uint16Array(length);
  for (let i = 0; i < length; i++) row[i] = view.getUint16(2 * i, littleEndian);
  return row;
}

function byteOrder(value: unknown, path: string): boolean {
  // Swift falls back to its own sys.byteorder; every platform Swift ships on is little-endian.
  if (value === undefined || value === "little") return true;
  if (value === "big") return false;
  throw new RingFileError(
    path,
    `'byteorder' must be "little" or "big": current value is ${JSON.stringify(value)}`,
  );
}

function integerField(
  header: Record<string, unknown>,
  key: string,
  { path, min, max }: { path: string; min: number; max: number },
): number {
  const value = header[key];
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new RingFileError(
      path,
      `'${key}' must be an integer from ${min} to ${max}: current value is ` +
        `${JSON.stringify(value ?? null)}`,
    );
  }
  return value as number;
}

function optionalInteger(
  header: Record<string, unknown>,
  key: string,
  { path }: { path: string },
): number | null {
  if (header[key] === undefined || header[key] === null) return null;
  return integerField(header, key, { path, min: 0, max: Number.MAX_SAFE_INTEGER });
}

const NUMBER_FIELDS = ["id", "region", "zone", "port", "replication_port", "weight"];
const STRING_FIELDS = ["ip", "replication_ip", "device", "meta"];

function decodeDevices(value: unknown, path: string): (RingDevice | null)[] {
  if (!Array.isArray(value)) {
    throw new RingFileError(path, `'devs' must be a list: current value is ${typeof value}`);
  }
  return value.map((entry, index) => {
    if (entry === null) return null;
    if (typeof entry !== "object" || Array.isArray(entry)) {
      throw new RingFileError(path, `device ${index} must be an object or null: found ${entry}`);
    }
    // The same defaults Swift fills in for rings written before these keys existed.
    const dev = {
      region: 1,
      replication_ip: entry.ip,
      replication_port: entry.port,
      meta: "",
      ...entry,
    } as Record<string, unknown>;
    for (const key of [...NUMBER_FIELDS, ...STRING_FIELDS]) {
      const isNumber = NUMBER_FIELDS.includes(key);
      if (isNumber ? typeof dev[key] !== "number" : typeof dev[key] !== "string") {
        throw new RingFileError(
          path,
          `device ${index} '${key}' must be a ${isNumber ? "number" : "string"}: ` +
            `current value is ${JSON.stringify(dev[key] ?? null)}`,
        );
      }
    }
    // Swift looks devices up by list position but tracks them by 'id'; they must agree.
    if (dev.id !== index) {
      throw new RingFileError(path, `device ${index} has 'id' ${dev.id}: it must equal its index`);
    }
    return dev as RingDevice;
  });
}

function checkDeviceIds(
  rows: readonly Uint16Array[],
  { devs, path }: { devs: readonly (RingDevice | null)[]; path: string },
): void {
  rows.forEach((row, replica) => {
    for (let part = 0; part < row.length; part++) {
      if (devs[row[part]] == null) {
        throw new RingFileError(
          path,
          `replica ${replica} of partition ${part} is on device id ${row[part]}, which is not ` +
            `among the ring's ${devs.filter((d) => d).length} devices`,
        );
      }
    }
  });
}

/**
 * Serializes ring data as Swift's RingData.save() does: the same gzip header and uncompressed
 * bytes. The deflate stream itself can differ, as Deno bundles another zlib build than Python's.
 */
export function encodeRingData(data: RingData, opts: EncodeRingOptions = {}): Uint8Array {
  const header: Record<string, JsonValue> = {
    devs: data.devs as unknown as JsonValue,
    part_shift: data.partShift,
    replica_count: data.replica2part2dev.length,
    // Always little-endian, and said so, so the file does not depend on the writer's CPU.
    byteorder: "little",
  };
  if (data.version !== null) header.version = data.version;
  if (data.nextPartPower !== null) header.next_part_power = data.nextPartPower;
  const json = new TextEncoder().encode(
    pythonJsonDumps(header, { sortKeys: true, floatKeys: FLOAT_KEYS }),
  );
  const rowBytes = data.replica2part2dev.reduce((sum, row) => sum + 2 * row.length, 0);
  const raw = new Uint8Array(10 + json.length + rowBytes);
  const view = new DataView(raw.buffer);
  raw.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint16(4, FORMAT_VERSION);
  view.setUint32(6, json.length);
  raw.set(json, 10);
  let offset = 10 + json.length;
  for (const row of data.replica2part2dev) {
    for (let i = 0; i < row.length; i++) view.setUint16(offset + 2 * i, row[i], true);
    offset += 2 * row.length;
  }
  return gzipLikePython(raw, opts.filename ?? "", opts.mtime ?? SWIFT_GZIP_MTIME);
}

// Python's GzipFile header: FNAME flag with the base name minus ".gz" (latin-1), the pinned
// mtime, XFL 2 for level 9 and OS 255, then a level 9 raw deflate body, CRC32 and length.
function gzipLikePython(raw: Uint8Array, filename: string, mtime: number): Uint8Array {
  let name = basename(filename);
  if (name.endsWith(".gz")) name = name.slice(0, -3);
  const codes = Array.from(name, (c) => c.codePointAt(0)!);
  // Python would fail on a name latin-1 cannot encode; leaving the optional field out is safer.
  const nameField = codes.every((c) => c > 0 && c <= 0xff)
    ? Uint8Array.from(codes)
    : new Uint8Array(0);
  const body = deflateRawSync(raw, { level: 9, memLevel: 8 });
  const out = new Uint8Array(10 + (nameField.length ? nameField.length + 1 : 0) + body.length + 8);
  const view = new DataView(out.buffer);
  out.set([0x1f, 0x8b, 8, nameField.length ? 8 : 0], 0);
  view.setUint32(4, Math.trunc(mtime) >>> 0, true);
  out.set([2, 255], 8);
  let offset = 10;
  if (nameField.length) {
    out.set(nameField, offset);
    offset += nameField.length + 1;
  }
  out.set(body, offset);
  offset += body.length;
  view.setUint32(offset, crc32(raw) >>> 0, true);
  view.setUint32(offset + 4, raw.length >>> 0, true);
  return out;
}

/**
 * Writes a ring file atomically (temporary file in the same directory, fsync, rename), so a
 * server reloading the ring never reads a half-written file.
 */
export function writeRingData(path: string, data: RingData): void {
  const bytes = encodeRingData(data, { filename: path });
  const tmp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    const file = Deno.openSync(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      file.syncSync();
    } finally {
      file.close();
    }
    // Swift chmods to 0644 so every server user can read the ring whatever the umask.
    Deno.chmodSync(tmp, 0o644);
    Deno.renameSync(tmp, path);
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // Nothing to clean up: the temporary file was never created or was already renamed.
    }
    throw new Error(`Cannot write ring ${JSON.stringify(path)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
