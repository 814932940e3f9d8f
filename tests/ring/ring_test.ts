import { assert, assertEquals, assertThrows } from "@std/assert";
import { createHash } from "node:crypto";
import { buildRing } from "../../lib/ring/builder.ts";
import { RingFileError, RingLoadError } from "../../lib/ring/errors.ts";
import { Ring } from "../../lib/ring/ring.ts";
import { writeRingData } from "../../lib/ring/ring_data.ts";
import {
  askSwift,
  hex,
  type NameTriple,
  randomNames,
  ringBuilderOps,
  type SwiftRingSpec,
} from "./_swift.ts";

const PREFIX = "ring-test-prefix";
const SUFFIX = "ring-test-suffix";
const HASH = { hashPathPrefix: PREFIX, hashPathSuffix: SUFFIX };
const NAMES_PER_RING = 1500;
const HANDOFFS_PER_NAME = 6;

const SWIFT_RINGS: Record<string, SwiftRingSpec> = {
  // Uneven weights, several devices per IP and per zone, a zero-weight device and a removed one
  // (a hole in `devs`).
  two_regions: {
    partPower: 8,
    replicas: 3,
    devices: [
      ["r1z1-10.0.0.1:6200/sda", 100],
      ["r1z1-10.0.0.1:6200/sdb", 100],
      ["r1z1-10.0.0.2:6200/sda", 50],
      ["r1z2-10.0.1.1:6200/sda", 100],
      ["r1z2-10.0.1.2:6200/sda", 100],
      ["r1z3-10.0.2.1:6200/sda", 80],
      ["r1z3-10.0.2.2:6200/sdc", 60],
      ["r2z1-10.1.0.1:6200/sda", 100],
      ["r2z1-10.1.0.1:6200/sdb", 100],
      ["r2z2-10.1.1.1:6200/sda", 120],
      ["r2z2-10.1.1.2:6200/sdb", 0],
      ["r2z3-10.1.2.1:6200/sda", 100],
    ],
    remove: ["d4"],
  },
  three_regions: {
    partPower: 10,
    replicas: 3,
    devices: [
      ["r1z1-10.0.0.1:6200/sda", 100],
      ["r1z1-10.0.0.2:6200/sda", 100],
      ["r1z2-10.0.1.1:6200/sda", 100],
      ["r1z2-10.0.1.1:6200/sdb", 100],
      ["r2z1-10.1.0.1:6201/sda", 200],
      ["r2z2-10.1.1.1:6201/sda", 100],
      ["r3z1-10.2.0.1:6202/sda", 100],
      ["r3z1-10.2.0.2:6202/sda", 50],
    ],
  },
  one_replica: {
    partPower: 8,
    replicas: 1,
    devices: [
      ["r1z1-127.0.0.1:6010/sdb1", 1],
      ["r1z2-127.0.0.1:6020/sdb2", 1],
      ["r1z2-127.0.0.2:6020/sdb2", 2],
      ["r1z1-127.0.0.1:6010/sdb3", 1],
    ],
  },
  two_replicas: {
    partPower: 10,
    replicas: 2,
    devices: [
      ["r1z1-10.0.0.1:6200/sda", 100],
      ["r1z1-10.0.0.1:6200/sdb", 100],
      ["r1z2-10.0.0.2:6200/sda", 100],
      ["r1z2-10.0.0.2:6200/sdb", 100],
      ["r1z3-10.0.0.3:6200/sda", 100],
      ["r1z3-10.0.0.4:6200/sda", 100],
    ],
  },
  // The last replica covers only half the partitions, so its row in the file is short.
  fractional_replicas: {
    partPower: 8,
    replicas: 2.5,
    devices: [
      ["r1z1-10.0.0.1:6200/sda", 100],
      ["r1z2-10.0.0.2:6200/sda", 100],
      ["r1z3-10.0.0.3:6200/sda", 100],
      ["r2z1-10.1.0.1:6200/sda", 100],
      ["r2z2-10.1.0.2:6200/sda", 100],
    ],
  },
};

interface SwiftRingAnswers {
  replica_count: number;
  partition_count: number;
  part_power: number;
  devs: unknown[];
  names: { part: number; nodes: unknown[]; handoffs: unknown[] }[];
  parts: [number, number][][];
}

function ringQuery(path: string, names: NameTriple[], parts: number[]) {
  return {
    op: "ring",
    path,
    prefix: hex(PREFIX),
    suffix: hex(SUFFIX),
    names,
    handoffs: HANDOFFS_PER_NAME,
    parts,
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function assertRingMatchesSwift(
  ring: Ring,
  names: NameTriple[],
  parts: number[],
  swift: SwiftRingAnswers,
) {
  assertEquals(ring.replicaCount, swift.replica_count);
  assertEquals(ring.partitionCount, swift.partition_count);
  assertEquals(ring.partPower, swift.part_power);
  assertEquals(ring.devs as unknown[], swift.devs);
  names.forEach(([a, c, o], i) => {
    const { part, nodes } = ring.getNodes(a, c ?? undefined, o ?? undefined);
    const handoffs = ring.getMoreNodes(part).take(HANDOFFS_PER_NAME).toArray();
    assertEquals({ part, nodes, handoffs }, swift.names[i], `name ${JSON.stringify([a, c, o])}`);
  });
  parts.forEach((part, i) => {
    const ours = ring.getMoreNodes(part).map((d) => [d.id, d.handoff_index]).toArray();
    assertEquals(ours, swift.parts[i], `handoffs of partition ${part}`);
  });
}

Deno.test("Ring routes names exactly like Swift on rings built by swift-ring-builder", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const names = randomNames(42, NAMES_PER_RING);
    const ops: Record<string, unknown>[] = [];
    for (const [name, spec] of Object.entries(SWIFT_RINGS)) {
      ops.push(...ringBuilderOps(dir, name, spec));
      ops.push(ringQuery(`${dir}/${name}.ring.gz`, names, range(2 ** spec.partPower)));
    }
    const results = await askSwift(ops);
    const build = results.filter((r) => (r as { code?: number }).code !== undefined);
    for (const result of build as { code: number; output: string }[]) {
      assert(result.code <= 1, `swift-ring-builder failed: ${result.output}`);
    }
    const answers = results.filter((r) => (r as { code?: number }).code === undefined);
    for (const [i, [name, spec]] of Object.entries(SWIFT_RINGS).entries()) {
      await t.step(`${name}: part power ${spec.partPower}, ${spec.replicas} replicas`, () => {
        const ring = new Ring(`${dir}/${name}.ring.gz`, HASH);
        const parts = range(2 ** spec.partPower);
        assertRingMatchesSwift(ring, names, parts, answers[i] as SwiftRingAnswers);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ring walks handoffs like Swift when partitions outnumber 65536", async () => {
  // Past 2**16 partitions Swift visits every (parts / 65536)th partition and wraps around with
  // an offset. swift-ring-builder needs ~25 s for such a ring, so swiftd's builder makes it, and
  // a lone region-3 device holding one partition forces the walk to go far and wrap.
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const devices = range(6).map((i) => ({
      ip: `10.0.${i % 3}.${i}`,
      port: 6200,
      device: "sda",
      weight: 100 + 10 * i,
      region: 1 + (i % 2),
      zone: 1 + (i % 3),
    }));
    const built = buildRing(devices, { replicas: 3, partPower: 17 });
    const rare = { ...built.devs[0]!, id: 6, region: 3, ip: "10.3.0.1" };
    built.replica2part2dev[0][1001] = rare.id;
    writeRingData(`${dir}/object.ring.gz`, { ...built, devs: [...built.devs, rare] });
    const names = randomNames(7, 10);
    // With a step of 2 the walk only sees partitions of one parity; partitions whose walk starts
    // at an odd partition past 1001 find the rare device only after wrapping around.
    const wrapping = range(200).filter((part) => {
      const start = createHash("md5").update(String(part)).digest().readUInt32BE(0) >>> 15;
      return start % 2 === 1 && start > 1001;
    }).slice(0, 6);
    const parts = [...wrapping, 0, 1, 1001, 65536, 131071];
    const [swift] = await askSwift([ringQuery(`${dir}/object.ring.gz`, names, parts)]);
    const ring = new Ring(`${dir}/object.ring.gz`, HASH);
    assertRingMatchesSwift(ring, names, parts, swift as SwiftRingAnswers);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ring gives the nodes swift-get-nodes prints", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    await askSwift(ringBuilderOps(dir, "container", SWIFT_RINGS.three_regions));
    await Deno.writeTextFile(
      `${dir}/swift.conf`,
      `[swift-hash]\nswift_hash_path_prefix = ${PREFIX}\nswift_hash_path_suffix = ${SUFFIX}\n` +
        "[storage-policy:0]\nname = gold\ndefault = yes\n",
    );
    const ring = new Ring(`${dir}/container.ring.gz`, HASH);
    for (const [account, container] of [["AUTH_t\u00e9st", "photos \u{1f4f7}"], ["a", "c/d"]]) {
      const { stdout, code } = await new Deno.Command("/usr/bin/swift-get-nodes", {
        args: ["-d", dir, "-a", `${dir}/container.ring.gz`, account, container],
        stdout: "piped",
        stderr: "null",
      }).output();
      assertEquals(code, 0);
      const text = new TextDecoder().decode(stdout);
      const printed = [...text.matchAll(/^Server:Port Device\t(\S+) (\S+)(\t \[Handoff\])?$/gm)]
        .map((m) => `${m[1]} ${m[2]}${m[3] ? " handoff" : ""}`);
      const { part, nodes } = ring.getNodes(account, container);
      const expected = [
        ...nodes.map((n) => `${n.ip}:${n.port} ${n.device}`),
        ...ring.getMoreNodes(part).map((n) => `${n.ip}:${n.port} ${n.device} handoff`),
      ];
      assertEquals(text.match(/^Partition\t(\d+)$/m)?.[1], String(part));
      assertEquals(printed, expected);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const SMALL_DEVICES = [
  { ip: "127.0.0.1", port: 6010, device: "sdb1", weight: 1, zone: 1 },
  { ip: "127.0.0.1", port: 6020, device: "sdb2", weight: 1, zone: 2 },
  { ip: "127.0.0.1", port: 6030, device: "sdb3", weight: 1, zone: 3 },
];
const OTHER_DEVICES = SMALL_DEVICES.map((d) => ({ ...d, ip: "127.0.0.9" }));

Deno.test("Ring reloads a replaced ring file once reloadTime has passed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const path = `${dir}/object.ring.gz`;
    writeRingData(path, buildRing(SMALL_DEVICES, { replicas: 3, partPower: 4 }));
    const eager = new Ring(path, { ...HASH, reloadTime: 0 });
    const lazy = new Ring(path, { ...HASH, reloadTime: 3600 });
    assertEquals(eager.reloadIfChanged(), false);
    writeRingData(path, buildRing(OTHER_DEVICES, { replicas: 3, partPower: 4 }));
    assertEquals(eager.getNodes("a").nodes.map((n) => n.ip), [
      "127.0.0.9",
      "127.0.0.9",
      "127.0.0.9",
    ]);
    assertEquals(eager.reloadIfChanged(), false);
    // Within reloadTime the old ring keeps serving, as in Swift, without even a stat().
    assertEquals(lazy.reloadIfChanged(), false);
    assertEquals(lazy.getNodes("a").nodes.map((n) => n.ip), [
      "127.0.0.1",
      "127.0.0.1",
      "127.0.0.1",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ring keeps the previous ring when a reload fails validation", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const path = `${dir}/object-1.ring.gz`;
    writeRingData(path, buildRing(SMALL_DEVICES, { replicas: 3, partPower: 4 }));
    const validate = (data: { replica2part2dev: readonly unknown[] }) => {
      if (data.replica2part2dev.length !== 3) {
        throw new RingLoadError(
          `EC policy needs 3 replicas: ring has ${data.replica2part2dev.length}`,
        );
      }
    };
    const ring = new Ring(dir, { ...HASH, ringName: "object-1", reloadTime: 0, validate });
    assertEquals(ring.path, path);
    writeRingData(path, buildRing(OTHER_DEVICES, { replicas: 2, partPower: 4 }));
    assertEquals(ring.reloadIfChanged(), false);
    assertEquals(ring.replicaCount, 3);
    assertThrows(
      () => new Ring(dir, { ...HASH, ringName: "object-1", validate }),
      RingLoadError,
      "EC policy needs 3 replicas: ring has 2",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ring refuses to start without a hash path prefix or suffix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const path = `${dir}/account.ring.gz`;
    writeRingData(path, buildRing(SMALL_DEVICES, { replicas: 3, partPower: 4 }));
    assertThrows(
      () => new Ring(path, { hashPathPrefix: "", hashPathSuffix: "" }),
      RingFileError,
      "both swift_hash_path_prefix and swift_hash_path_suffix are empty",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ring names the file when it is missing or corrupt", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-" });
  try {
    const path = `${dir}/object.ring.gz`;
    assertThrows(() => new Ring(path, HASH), RingFileError, `"${path}"`);
    writeRingData(path, buildRing(SMALL_DEVICES, { replicas: 3, partPower: 4 }));
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 20));
    assertThrows(() => new Ring(path, HASH), RingFileError, `Cannot load ring "${path}": gzip`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
