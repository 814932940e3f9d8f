/**
 * `swiftd ring build FILE PART_POWER REPLICAS DEVICE...` and `swiftd ring show FILE`: rings for
 * local setups without swift-ring-builder's builder files. DEVICE uses swift-ring-builder's
 * `add` syntax, `[rREGION]zZONE-IP:PORT/NAME`, with an optional `@WEIGHT` (default 100). The
 * file is Swift's own ring format; Swift's tools and servers read it.
 */
import { buildRing, type DeviceSpec, readRingData, writeRing } from "../ring/mod.ts";
import { UsageError } from "./args.ts";

const DEVICE = /^(?:r(\d+))?z(\d+)-(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d+)\/([^@/\s]+)(?:@([\d.]+))?$/;

/** Parses one DEVICE argument. */
export function parseDevice(text: string): DeviceSpec {
  const match = DEVICE.exec(text);
  if (!match) {
    throw new UsageError(
      `Bad device "${text}": write [rREGION]zZONE-IP:PORT/NAME[@WEIGHT], e.g. r1z1-127.0.0.1:6200/sdb1@100`,
    );
  }
  const [, region, zone, ip, port, device, weight] = match;
  return {
    region: region ? Number(region) : 1,
    zone: Number(zone),
    ip: ip.replace(/^\[(.*)\]$/, "$1"),
    port: Number(port),
    device,
    weight: weight ? Number(weight) : 100,
  };
}

/** Builds and writes a ring; returns a one-line summary. */
export function buildRingFile(
  file: string,
  partPower: number,
  replicas: number,
  devices: string[],
): string {
  if (devices.length === 0) throw new UsageError("swiftd ring build needs at least one DEVICE");
  const data = buildRing(devices.map(parseDevice), { partPower, replicas });
  writeRing(file, data);
  return `${file}: ${2 ** partPower} partitions, ${replicas} replicas, ${data.devs.length} devices`;
}

/** A summary of a ring file: its shape and each device's share of partitions. */
export function showRingFile(file: string): string {
  const data = readRingData(file);
  const counts = new Map<number, number>();
  for (const row of data.replica2part2dev) {
    for (const id of row) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const parts = data.replica2part2dev[0]?.length ?? 0;
  const lines = [
    `${file}: ${parts} partitions, ${data.replica2part2dev.length} replicas, part power ${
      32 - data.partShift
    }`,
    "id region zone ip:port/device weight partitions",
  ];
  for (const dev of data.devs) {
    if (!dev) continue;
    const address = dev.ip.includes(":") ? `[${dev.ip}]` : dev.ip;
    lines.push(
      `${dev.id} ${dev.region} ${dev.zone} ${address}:${dev.port}/${dev.device} ${dev.weight} ` +
        `${counts.get(dev.id) ?? 0}`,
    );
  }
  return lines.join("\n");
}
