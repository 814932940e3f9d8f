import type { RingData, RingDevice } from "./ring_data.ts";
import { writeRingData } from "./ring_data.ts";

/** A device to put in a new ring. */
export interface DeviceSpec {
  /** Address the proxy talks to. */
  readonly ip: string;
  /** Port of the storage server on that address. */
  readonly port: number;
  /** Directory name under the server's devices root, e.g. "sdb1". */
  readonly device: string;
  /** Relative share of partitions; 0 keeps the device in the ring without partitions. */
  readonly weight: number;
  /** Region number (default 1). */
  readonly region?: number;
  /** Zone number within the region (default 1). */
  readonly zone?: number;
  /** Replication address (default `ip`). */
  readonly replication_ip?: string;
  /** Replication port (default `port`). */
  readonly replication_port?: number;
  /** Free-form notes (default ""). */
  readonly meta?: string;
}

/** Options for buildRing(). */
export interface BuildRingOptions {
  /** Copies of each partition, a whole number (Swift also allows fractions; this does not). */
  readonly replicas: number;
  /** log2 of the partition count, 0 to 32 as in Swift (16 to 18 is typical for clusters). */
  readonly partPower: number;
  /** Version stored in the ring (Swift's builder version); default 1. */
  readonly version?: number;
}

// Swift's builder reserves 0xffff (NONE_DEV) in the unsigned short partition tables.
const MAX_DEVICES = 0xffff;

/**
 * Builds ring data for a small or local cluster: every partition's replicas go to distinct
 * devices, spread over distinct regions, then zones, then IPs when the weights allow, and each
 * device gets partitions in proportion to its weight. Placement is deterministic but differs from
 * swift-ring-builder's; the result is a valid ring that Swift reads and routes with.
 */
export function buildRing(devices: readonly DeviceSpec[], opts: BuildRingOptions): RingData {
  const { replicas, partPower } = opts;
  if (!Number.isInteger(partPower) || partPower < 0 || partPower > 32) {
    throw new RangeError(
      `Cannot build ring: 'partPower' must be an integer from 0 to 32: current value is ${partPower}`,
    );
  }
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new RangeError(
      `Cannot build ring: 'replicas' must be an integer >= 1: current value is ${replicas}`,
    );
  }
  const devs = devices.map(toRingDevice);
  checkDevices(devs);
  const weighted = devs.filter((d) => d.weight > 0);
  if (weighted.length < replicas) {
    throw new RangeError(
      `Cannot build ring: ${replicas} replicas need at least ${replicas} devices with weight > 0: ` +
        `current count is ${weighted.length}`,
    );
  }
  const parts = 2 ** partPower;
  const totalWeight = weighted.reduce((sum, d) => sum + d.weight, 0);
  const wanted = weighted.map((d) => (d.weight / totalWeight) * parts * replicas);
  const assigned = weighted.map(() => 0);
  const rows = Array.from({ length: replicas }, () => new Uint16Array(parts));
  for (let part = 0; part < parts; part++) {
    const chosen: number[] = [];
    for (let replica = 0; replica < replicas; replica++) {
      const pick = pickDevice(chosen, { weighted, wanted, assigned });
      chosen.push(pick);
      assigned[pick]++;
      rows[replica][part] = weighted[pick].id;
    }
  }
  return {
    devs,
    replica2part2dev: rows,
    partShift: 32 - partPower,
    nextPartPower: null,
    version: opts.version ?? 1,
  };
}

// How much placing `candidate` next to `chosen` hurts dispersion: 0 for a new region, 1 for a
// new zone, 2 for a new IP, 3 for another device on an IP already holding this partition.
function overlap(candidate: RingDevice, chosen: readonly RingDevice[]): number {
  let level = 0;
  for (const dev of chosen) {
    if (dev.region !== candidate.region) continue;
    if (dev.zone !== candidate.zone) level = Math.max(level, 1);
    else if (dev.ip !== candidate.ip) level = Math.max(level, 2);
    else return 3;
  }
  return level;
}

// Greedy choice: a device still under its weight share beats dispersion (like Swift with
// overload 0, balance comes first); among those, the least overlap, then the most partitions
// still wanted, then the lowest id so the result is deterministic.
function pickDevice(
  chosen: readonly number[],
  { weighted, wanted, assigned }: {
    weighted: readonly RingDevice[];
    wanted: readonly number[];
    assigned: readonly number[];
  },
): number {
  const chosenDevs = chosen.map((i) => weighted[i]);
  let best = -1;
  let bestKey: [number, number, number] = [Infinity, Infinity, Infinity];
  for (let i = 0; i < weighted.length; i++) {
    if (chosen.includes(i)) continue;
    const key: [number, number, number] = [
      assigned[i] >= wanted[i] ? 1 : 0,
      overlap(weighted[i], chosenDevs),
      assigned[i] - wanted[i],
    ];
    if (
      key[0] < bestKey[0] ||
      (key[0] === bestKey[0] &&
        (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
    ) {
      best = i;
      bestKey = key;
    }
  }
  return best;
}

function toRingDevice(spec: DeviceSpec, id: number): RingDevice {
  return {
    id,
    region: spec.region ?? 1,
    zone: spec.zone ?? 1,
    ip: spec.ip,
    port: spec.port,
    replication_ip: spec.replication_ip ?? spec.ip,
    replication_port: spec.replication_port ?? spec.port,
    device: spec.device,
    weight: spec.weight,
    meta: spec.meta ?? "",
  };
}

function checkDevices(devs: readonly RingDevice[]): void {
  if (devs.length > MAX_DEVICES) {
    throw new RangeError(
      `Cannot build ring: at most ${MAX_DEVICES} devices fit in a ring: current count is ` +
        `${devs.length}`,
    );
  }
  const seen = new Set<string>();
  for (const dev of devs) {
    const where = `${dev.ip}:${dev.port}/${dev.device}`;
    const problem = !dev.ip || !dev.device
      ? "needs a non-empty ip and device name"
      : !isPort(dev.port) || !isPort(dev.replication_port)
      ? "needs ports from 1 to 65535"
      : !Number.isFinite(dev.weight) || dev.weight < 0
      ? `needs a weight >= 0, not ${dev.weight}`
      : !Number.isInteger(dev.region) || !Number.isInteger(dev.zone) || dev.region < 0 ||
          dev.zone < 0
      ? `needs integer region and zone >= 0, not r${dev.region}z${dev.zone}`
      : seen.has(where)
      ? "is listed twice"
      : undefined;
    if (problem !== undefined) {
      throw new RangeError(
        `Cannot build ring: device ${dev.id} ${JSON.stringify(where)} ${problem}`,
      );
    }
    seen.add(where);
  }
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Atomically writes ring data where servers load it; the same as writeRingData(). */
export const writeRing: (path: string, data: RingData) => void = writeRingData;
