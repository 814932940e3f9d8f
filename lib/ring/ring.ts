import { join } from "@std/path";
import { createHash } from "node:crypto";
import { RingFileError, RingLoadError } from "./errors.ts";
import { type HashPathConfig, hashPathRaw, type PathPart } from "./hash_path.ts";
import { readRingData, type RingData, type RingDevice } from "./ring_data.ts";

/** A primary node: the device plus its position among the partition's primaries. */
export type RingNode = RingDevice & { readonly index: number };

/** A handoff node: the device plus its position in the handoff sequence. */
export type HandoffNode = RingDevice & { readonly handoff_index: number };

/** Options for new Ring(). */
export interface RingOptions {
  /** swift.conf `swift_hash_path_prefix`; prefix or suffix must be non-empty, as Swift demands. */
  readonly hashPathPrefix: PathPart;
  /** swift.conf `swift_hash_path_suffix`. */
  readonly hashPathSuffix: PathPart;
  /** Seconds between checks of the ring file's mtime (Swift's `reload_time`). */
  readonly reloadTime?: number;
  /** When set, `path` is a directory and the file is `<ringName>.ring.gz` (e.g. "object-1"). */
  readonly ringName?: string;
  /** Rejects unusable ring data by throwing RingLoadError (Swift's `validation_hook`). */
  readonly validate?: (data: RingData) => void;
}

/** Swift's DEFAULT_RELOAD_TIME, in seconds. */
export const DEFAULT_RELOAD_TIME = 15;

interface FileStamp {
  readonly mtime: number | undefined;
  readonly ino: number | null;
  readonly size: number;
}

interface Loaded {
  readonly data: RingData;
  readonly stamp: FileStamp;
  readonly numRegions: number;
  readonly numZones: number;
  readonly numIps: number;
  readonly numAssignedDevs: number;
}

/**
 * A Swift ring loaded from a `.ring.gz` file, answering the same questions as Swift 2.30's
 * swift.common.ring.Ring with the same answers: partition of a name, its primary nodes and the
 * handoff sequence. Like Swift it rechecks the file's mtime at most every `reloadTime` seconds
 * from any lookup, so a long-running server picks up a new ring without restarting.
 */
export class Ring {
  /** The ring file this ring loads from. */
  readonly path: string;
  /** Seconds between mtime checks. */
  readonly reloadTime: number;
  #hash: HashPathConfig;
  #validate: (data: RingData) => void;
  #loaded: Loaded;
  #nextCheck = 0;

  constructor(path: string, opts: RingOptions) {
    this.path = opts.ringName === undefined ? path : join(path, `${opts.ringName}.ring.gz`);
    this.reloadTime = opts.reloadTime ?? DEFAULT_RELOAD_TIME;
    if (!(this.reloadTime >= 0)) {
      throw new RangeError(
        `Ring 'reloadTime' must be a number of seconds >= 0: current value is ${this.reloadTime}`,
      );
    }
    if (opts.hashPathPrefix.length === 0 && opts.hashPathSuffix.length === 0) {
      throw new RingFileError(
        this.path,
        "both swift_hash_path_prefix and swift_hash_path_suffix are empty; set at least one",
      );
    }
    this.#hash = { prefix: opts.hashPathPrefix, suffix: opts.hashPathSuffix };
    this.#validate = opts.validate ?? (() => {});
    this.#loaded = this.#load(statFile(this.path));
    this.#scheduleCheck();
  }

  /** Devices by id, `null` for removed ones. */
  get devs(): readonly (RingDevice | null)[] {
    this.reloadIfChanged();
    return this.#loaded.data.devs;
  }

  /** Number of replicas, fractional when the last replica covers only some partitions. */
  get replicaCount(): number {
    const rows = this.#loaded.data.replica2part2dev;
    if (rows.length === 0) return 0;
    return rows.length - 1 + rows[rows.length - 1].length / rows[0].length;
  }

  /** Number of partitions (2 ** partPower). */
  get partitionCount(): number {
    return this.#loaded.data.replica2part2dev[0]?.length ?? 0;
  }

  /** The ring's partition power. */
  get partPower(): number {
    return 32 - this.#loaded.data.partShift;
  }

  /** Partition power being moved to while a power increase runs, else null. */
  get nextPartPower(): number | null {
    this.reloadIfChanged();
    return this.#loaded.data.nextPartPower;
  }

  /** Builder version of the loaded ring, or null when the file does not say. */
  get version(): number | null {
    return this.#loaded.data.version;
  }

  /**
   * Reloads the ring if `reloadTime` has passed since the last check and the file changed;
   * costs one clock read otherwise. Returns whether new data was loaded. A changed file that
   * fails validation keeps the old ring, as in Swift; an unreadable one throws.
   */
  reloadIfChanged(): boolean {
    if (performance.now() < this.#nextCheck) return false;
    this.#scheduleCheck();
    const stamp = statFile(this.path);
    if (sameStamp(stamp, this.#loaded.stamp)) return false;
    try {
      this.#loaded = this.#load(stamp);
    } catch (err) {
      if (err instanceof RingLoadError) return false;
      throw err;
    }
    return true;
  }

  /** The partition of an account, container or object, as Swift's get_part(). */
  getPart(account: PathPart, container?: PathPart, object?: PathPart): number {
    const digest = hashPathRaw(account, container, object, this.#hash);
    this.reloadIfChanged();
    const top = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
    // Not `>>>`: JS masks shift counts to 5 bits, so a part power of 0 (shift 32) would break.
    return Math.floor(top / 2 ** this.#loaded.data.partShift);
  }

  /** The primary nodes of a partition, each device once, with `index` (get_part_nodes()). */
  getPartNodes(part: number): RingNode[] {
    this.reloadIfChanged();
    return partNodes(this.#loaded.data, part);
  }

  /** The partition and primary nodes of an account, container or object (get_nodes()). */
  getNodes(
    account: PathPart,
    container?: PathPart,
    object?: PathPart,
  ): { part: number; nodes: RingNode[] } {
    const part = this.getPart(account, container, object);
    return { part, nodes: partNodes(this.#loaded.data, part) };
  }

  /**
   * Handoff nodes of a partition in Swift's exact order (get_more_nodes()): first devices in
   * regions the primaries do not use, then new zones, then new IPs, then any unused device,
   * each pass walking the partitions from a start derived from md5 of the partition number.
   */
  *getMoreNodes(part: number): Generator<HandoffNode> {
    this.reloadIfChanged();
    const loaded = this.#loaded;
    const { devs, replica2part2dev: rows, partShift } = loaded.data;
    const primaries = partNodes(loaded.data, part);
    const used = new Set(primaries.map((d) => d.id));
    const sameRegions = new Set(primaries.map((d) => d.region));
    const sameZones = new Set(primaries.map(zoneKey));
    const sameIps = new Set(primaries.map(ipKey));
    const parts = rows[0]?.length ?? 0;
    const partHash = createHash("md5").update(String(part)).digest();
    const start = Math.floor(partHash.readUInt32BE(0) / 2 ** partShift);
    const inc = Math.trunc(parts / 65536) || 1;
    let index = 0;

    // Four passes as in Swift, each looser than the last; each stops once nothing new is left.
    if (sameRegions.size !== loaded.numRegions) {
      pass: for (const handoffPart of handoffOrder(start, parts, inc)) {
        for (const row of rows) {
          if (handoffPart >= row.length) continue;
          const dev = devs[row[handoffPart]]!;
          if (used.has(dev.id) || sameRegions.has(dev.region)) continue;
          yield { ...dev, handoff_index: index++ };
          used.add(dev.id);
          sameRegions.add(dev.region);
          sameZones.add(zoneKey(dev));
          sameIps.add(ipKey(dev));
          if (sameRegions.size === loaded.numRegions) break pass;
        }
      }
    }
    if (sameZones.size !== loaded.numZones) {
      pass: for (const handoffPart of handoffOrder(start, parts, inc)) {
        for (const row of rows) {
          if (handoffPart >= row.length) continue;
          const dev = devs[row[handoffPart]]!;
          if (used.has(dev.id) || sameZones.has(zoneKey(dev))) continue;
          yield { ...dev, handoff_index: index++ };
          used.add(dev.id);
          sameZones.add(zoneKey(dev));
          sameIps.add(ipKey(dev));
          if (sameZones.size === loaded.numZones) break pass;
        }
      }
    }
    if (sameIps.size !== loaded.numIps) {
      pass: for (const handoffPart of handoffOrder(start, parts, inc)) {
        for (const row of rows) {
          if (handoffPart >= row.length) continue;
          const dev = devs[row[handoffPart]]!;
          if (used.has(dev.id) || sameIps.has(ipKey(dev))) continue;
          yield { ...dev, handoff_index: index++ };
          used.add(dev.id);
          sameIps.add(ipKey(dev));
          if (sameIps.size === loaded.numIps) break pass;
        }
      }
    }
    if (used.size !== loaded.numAssignedDevs) {
      pass: for (const handoffPart of handoffOrder(start, parts, inc)) {
        for (const row of rows) {
          if (handoffPart >= row.length) continue;
          const dev = devs[row[handoffPart]]!;
          if (used.has(dev.id)) continue;
          yield { ...dev, handoff_index: index++ };
          used.add(dev.id);
          if (used.size === loaded.numAssignedDevs) break pass;
        }
      }
    }
  }

  #scheduleCheck(): void {
    this.#nextCheck = performance.now() + this.reloadTime * 1000;
  }

  #load(stamp: FileStamp): Loaded {
    const data = readRingData(this.path);
    this.#validate(data);
    return { stamp, data, ...countTiers(data) };
  }
}

function statFile(path: string): FileStamp {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    throw new RingFileError(path, `cannot stat the file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { mtime: info.mtime?.getTime(), ino: info.ino, size: info.size };
}

// Swift compares only mtime, but Deno reports it in whole milliseconds; a ring replaced twice
// within one millisecond would go unnoticed, so a new inode or size also counts as a change.
function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtime === b.mtime && a.ino === b.ino && a.size === b.size;
}

function zoneKey(dev: RingDevice): string {
  return `${dev.region}/${dev.zone}`;
}

// The ip goes last so region and zone numbers cannot run into it.
function ipKey(dev: RingDevice): string {
  return `${dev.region}/${dev.zone}/${dev.ip}`;
}

function partNodes(data: RingData, part: number): RingNode[] {
  const nodes: RingNode[] = [];
  const seen = new Set<number>();
  for (const row of data.replica2part2dev) {
    if (part >= row.length) continue;
    const id = row[part];
    if (seen.has(id)) continue;
    seen.add(id);
    nodes.push({ ...data.devs[id]!, index: nodes.length });
  }
  return nodes;
}

// chain(range(start, parts, inc), range(inc - ((parts - start) % inc), start, inc)) in Swift.
function* handoffOrder(start: number, parts: number, inc: number): Generator<number> {
  for (let p = start; p < parts; p += inc) yield p;
  for (let p = inc - ((parts - start) % inc); p < start; p += inc) yield p;
}

// Swift's _update_bookkeeping(): only devices holding partitions count, so a region, zone or
// server with no partitions does not keep the handoff passes searching for it forever.
function countTiers(data: RingData) {
  const assigned = new Set<number>();
  for (const row of data.replica2part2dev) for (const id of row) assigned.add(id);
  const regions = new Set<number>();
  const zones = new Set<string>();
  const ips = new Set<string>();
  let numAssignedDevs = 0;
  for (const dev of data.devs) {
    if (dev === null || !assigned.has(dev.id)) continue;
    regions.add(dev.region);
    zones.add(zoneKey(dev));
    ips.add(ipKey(dev));
    numAssignedDevs++;
  }
  return { numRegions: regions.size, numZones: zones.size, numIps: ips.size, numAssignedDevs };
}
