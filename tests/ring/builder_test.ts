import { assert, assertEquals, assertThrows } from "@std/assert";
import { buildRing, type DeviceSpec, writeRing } from "../../lib/ring/builder.ts";
import { Ring } from "../../lib/ring/ring.ts";
import type { RingData, RingDevice } from "../../lib/ring/ring_data.ts";
import { askSwift, hex, randomNames } from "./_swift.ts";

function partsOf(data: RingData): RingDevice[][] {
  const parts = data.replica2part2dev[0].length;
  return Array.from(
    { length: parts },
    (_, p) => data.replica2part2dev.map((row) => data.devs[row[p]]!),
  );
}

function counts(data: RingData): number[] {
  const result = data.devs.map(() => 0);
  for (const row of data.replica2part2dev) for (const id of row) result[id]++;
  return result;
}

const EIGHT_DEVICES: DeviceSpec[] = [1, 2, 3, 4].flatMap((zone) => [
  { ip: `10.0.0.${zone}`, port: 6200, device: "sda", weight: 100, zone },
  { ip: `10.0.0.${zone}`, port: 6200, device: "sdb", weight: 100, zone },
]);

Deno.test("buildRing() puts each partition's replicas on distinct devices in distinct zones", () => {
  const data = buildRing(EIGHT_DEVICES, { replicas: 3, partPower: 8 });
  assertEquals(data.replica2part2dev.length, 3);
  assertEquals(data.partShift, 24);
  for (const devs of partsOf(data)) {
    assertEquals(new Set(devs.map((d) => d.id)).size, 3);
    assertEquals(new Set(devs.map((d) => d.zone)).size, 3);
  }
});

Deno.test("buildRing() spreads replicas over regions before zones", () => {
  const devices: DeviceSpec[] = [
    { ip: "10.0.0.1", port: 6200, device: "sda", weight: 1, region: 1, zone: 1 },
    { ip: "10.0.0.2", port: 6200, device: "sda", weight: 1, region: 1, zone: 2 },
    { ip: "10.1.0.1", port: 6200, device: "sda", weight: 1, region: 2, zone: 1 },
    { ip: "10.1.0.2", port: 6200, device: "sda", weight: 1, region: 2, zone: 2 },
  ];
  for (const devs of partsOf(buildRing(devices, { replicas: 2, partPower: 6 }))) {
    assertEquals(new Set(devs.map((d) => d.region)).size, 2);
  }
});

Deno.test("buildRing() gives devices partitions in proportion to their weight", () => {
  const devices: DeviceSpec[] = [1, 2, 3].flatMap((zone) => [
    { ip: `10.0.0.${zone}`, port: 6200, device: "sda", weight: 1, zone },
    { ip: `10.0.0.${zone}`, port: 6200, device: "sdb", weight: 2, zone },
  ]);
  const data = buildRing(devices, { replicas: 3, partPower: 10 });
  const parts = 1024 * 3;
  counts(data).forEach((count, id) => {
    const wanted = (devices[id].weight / 9) * parts;
    assert(Math.abs(count - wanted) < 1, `device ${id} has ${count} partitions, wanted ${wanted}`);
  });
  for (const devs of partsOf(data)) assertEquals(new Set(devs.map((d) => d.zone)).size, 3);
});

Deno.test("buildRing() keeps zero-weight devices in the ring without partitions", () => {
  const devices = [...EIGHT_DEVICES, { ip: "10.0.0.9", port: 6200, device: "sdz", weight: 0 }];
  const data = buildRing(devices, { replicas: 3, partPower: 6 });
  assertEquals(data.devs.length, 9);
  assertEquals(data.devs[8]?.device, "sdz");
  assertEquals(counts(data)[8], 0);
});

Deno.test("buildRing() output is a ring Swift loads and routes exactly like swiftd", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-builder-" });
  try {
    const devices: DeviceSpec[] = [1, 2, 3, 4].map((zone) => ({
      ip: "127.0.0.1",
      port: 6000 + 10 * zone,
      device: `sdb${zone}`,
      weight: 1,
      zone,
      replication_port: 6001 + 10 * zone,
    }));
    const path = `${dir}/object.ring.gz`;
    writeRing(path, buildRing(devices, { replicas: 3, partPower: 10 }));
    const names = randomNames(3, 500);
    const parts = Array.from({ length: 1024 }, (_, i) => i);
    const [swift] = await askSwift([{
      op: "ring",
      path,
      prefix: hex("p"),
      suffix: hex("s"),
      names,
      handoffs: 3,
      parts,
    }]) as { names: unknown[]; parts: unknown[] }[];
    const ring = new Ring(path, { hashPathPrefix: "p", hashPathSuffix: "s" });
    const ours = names.map(([a, c, o]) => {
      const { part, nodes } = ring.getNodes(a, c ?? undefined, o ?? undefined);
      return { part, nodes, handoffs: ring.getMoreNodes(part).take(3).toArray() };
    });
    assertEquals(ours, swift.names);
    assertEquals(
      parts.map((p) => ring.getMoreNodes(p).map((d) => [d.id, d.handoff_index]).toArray()),
      swift.parts,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildRing() rejects impossible rings saying what is wrong", () => {
  const one = [{ ip: "10.0.0.1", port: 6200, device: "sda", weight: 1 }];
  const cases: [() => unknown, string][] = [
    [
      () => buildRing(one, { replicas: 3, partPower: 4 }),
      "3 replicas need at least 3 devices with weight > 0: current count is 1",
    ],
    [() => buildRing(one, { replicas: 1, partPower: 33 }), "current value is 33"],
    [() => buildRing(one, { replicas: 1.5, partPower: 4 }), "'replicas' must be an integer"],
    [
      () => buildRing([...one, ...one], { replicas: 1, partPower: 4 }),
      'device 1 "10.0.0.1:6200/sda" is listed twice',
    ],
    [
      () => buildRing([{ ...one[0], port: 0 }], { replicas: 1, partPower: 4 }),
      "needs ports from 1 to 65535",
    ],
    [
      () => buildRing([{ ...one[0], weight: -1 }], { replicas: 1, partPower: 4 }),
      "needs a weight >= 0, not -1",
    ],
  ];
  for (const [build, message] of cases) assertThrows(build, RangeError, message);
});
