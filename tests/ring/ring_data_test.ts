import { assert, assertEquals, assertThrows } from "@std/assert";
import { gunzipSync, gzipSync } from "node:zlib";
import { buildRing } from "../../lib/ring/builder.ts";
import { RingFileError } from "../../lib/ring/errors.ts";
import {
  encodeRingData,
  readRingData,
  type RingData,
  writeRingData,
} from "../../lib/ring/ring_data.ts";
import { askSwift, ringBuilderOps, type SwiftRingSpec } from "./_swift.ts";

const SWIFT_RINGS: Record<string, SwiftRingSpec> = {
  // A removed device leaves a null in `devs`; non-ASCII meta is escaped in the JSON header.
  holes: {
    partPower: 10,
    replicas: 3,
    devices: [
      ["r1z1-10.0.0.1:6200/sda_caf\u00e9 \u{1f600}", 100],
      ["r1z2-10.0.0.2:6200R10.9.0.2:6300/sdb", 75.5],
      ["r1z3-10.0.0.3:6200/sdc", 100],
      ["r2z1-10.1.0.1:6200/sdd", 100],
      ["r2z2-10.1.0.2:6200/sde", 0],
    ],
    remove: ["d2"],
  },
  fractional: {
    partPower: 8,
    replicas: 2.25,
    devices: [
      ["r1z1-10.0.0.1:6200/sda", 1],
      ["r1z2-10.0.0.2:6200/sda", 1],
      ["r1z3-10.0.0.3:6200/sda", 1],
    ],
  },
};

interface SwiftRingData {
  devs: unknown[];
  part_shift: number;
  next_part_power: number | null;
  version: number | null;
  replica2part2dev: number[][];
}

function asSwiftSees(data: RingData): SwiftRingData {
  return {
    devs: data.devs as unknown[],
    part_shift: data.partShift,
    next_part_power: data.nextPartPower,
    version: data.version,
    replica2part2dev: data.replica2part2dev.map((row) => Array.from(row)),
  };
}

async function withTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-ring-data-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readRingData() reads swift-ring-builder rings as Swift's RingData.load() does", async () => {
  await withTempDir(async (dir) => {
    const ops = Object.entries(SWIFT_RINGS).flatMap(([name, spec]) => [
      ...ringBuilderOps(dir, name, spec),
      { op: "ringdata", path: `${dir}/${name}.ring.gz` },
    ]);
    const answers = (await askSwift(ops)).filter((r) => r && !("code" in (r as object)));
    Object.keys(SWIFT_RINGS).forEach((name, i) => {
      const ours = readRingData(`${dir}/${name}.ring.gz`);
      assertEquals(asSwiftSees(ours), answers[i] as SwiftRingData, name);
    });
    const fractional = readRingData(`${dir}/fractional.ring.gz`);
    assertEquals(fractional.replica2part2dev.map((row) => row.length), [256, 256, 64]);
  });
});

// The gzip header and the uncompressed ring must match Swift's exactly. The deflate stream
// itself may not: Deno bundles another zlib build than the one Python links, and the two can
// pick different (equally valid) matches for the same input.
function assertSameRingFile(ours: Uint8Array, swift: Uint8Array, what: string) {
  const header = 10 + swift.subarray(10).indexOf(0) + 1;
  assertEquals(ours.subarray(0, header), swift.subarray(0, header), `${what}: gzip header`);
  assertEquals(gunzipSync(ours), gunzipSync(swift), `${what}: uncompressed ring`);
}

Deno.test("encodeRingData() reproduces swift-ring-builder's ring files", async () => {
  await withTempDir(async (dir) => {
    await askSwift(Object.entries(SWIFT_RINGS).flatMap(([n, s]) => ringBuilderOps(dir, n, s)));
    for (const name of Object.keys(SWIFT_RINGS)) {
      const path = `${dir}/${name}.ring.gz`;
      const swiftBytes = await Deno.readFile(path);
      assertSameRingFile(encodeRingData(readRingData(path), { filename: path }), swiftBytes, name);
    }
  });
});

Deno.test("writeRingData() writes what Swift loads and re-saves identically", async () => {
  await withTempDir(async (dir) => {
    // Weights that stress Python's float repr, a meta outside the BMP, a hole and a removed id.
    const data = buildRing([
      { ip: "10.0.0.1", port: 6200, device: "sda", weight: 0.1, zone: 1, meta: "r\u00e9\u{1f4be}" },
      { ip: "10.0.0.2", port: 6200, device: "sdb", weight: 1e-5, zone: 2 },
      { ip: "10.0.0.3", port: 6200, device: "sdc", weight: 1e16, zone: 3 },
      { ip: "10.0.0.4", port: 6200, device: "sdd", weight: 123456.789, zone: 4 },
      { ip: "::1", port: 6200, device: "sde", weight: 3, region: 2, zone: 1 },
    ], { replicas: 3, partPower: 6, version: 9 });
    const withHole = { ...data, devs: [...data.devs, null], nextPartPower: 7 };
    await Deno.mkdir(`${dir}/swift`);
    writeRingData(`${dir}/object.ring.gz`, withHole);
    const [loaded] = await askSwift([
      { op: "ringdata", path: `${dir}/object.ring.gz` },
      { op: "resave", path: `${dir}/object.ring.gz`, out: `${dir}/swift/object.ring.gz` },
    ], { cwd: `${dir}/swift` });
    assertEquals(loaded, asSwiftSees(withHole));
    assertSameRingFile(
      await Deno.readFile(`${dir}/object.ring.gz`),
      await Deno.readFile(`${dir}/swift/object.ring.gz`),
      "re-saved by Swift",
    );
  });
});

Deno.test("swift-ring-builder recovers and prints a ring written by swiftd as up to date", async () => {
  await withTempDir(async (dir) => {
    const devices = [1, 2, 3, 4].map((zone) => ({
      ip: "127.0.0.1",
      port: 6000 + 10 * zone,
      device: `sdb${zone}`,
      weight: 1,
      zone,
    }));
    writeRingData(`${dir}/object.ring.gz`, buildRing(devices, { replicas: 3, partPower: 8 }));
    const run = (args: string[]) =>
      new Deno.Command("/usr/bin/swift-ring-builder", { args, cwd: dir, stderr: "piped" })
        .output();
    const recovered = await run(["object.ring.gz", "write_builder"]);
    assertEquals(recovered.code, 0, new TextDecoder().decode(recovered.stderr));
    const shown = await run(["object.builder"]);
    const text = new TextDecoder().decode(shown.stdout);
    assert(text.includes("256 partitions, 3.000000 replicas, 1 regions, 4 zones, 4 devices"), text);
    assert(text.includes("Ring file object.ring.gz is up-to-date"), text);
  });
});

Deno.test("readRingData() reads big-endian rings like Swift", async () => {
  await withTempDir(async (dir) => {
    const data = buildRing([
      { ip: "10.0.0.1", port: 6200, device: "sda", weight: 1, zone: 1 },
      { ip: "10.0.0.2", port: 6200, device: "sdb", weight: 2, zone: 2 },
      { ip: "10.0.0.3", port: 6200, device: "sdc", weight: 3, zone: 3 },
    ], { replicas: 2, partPower: 5 });
    const meta = { devs: data.devs, part_shift: 27, replica_count: 2, byteorder: "big" };
    const rows = new Uint8Array(2 * 2 * 32);
    const view = new DataView(rows.buffer);
    data.replica2part2dev.forEach((row, r) =>
      row.forEach((id, p) => view.setUint16(2 * (32 * r + p), id, false))
    );
    await Deno.writeFile(`${dir}/big.ring.gz`, ringFile(meta, rows));
    const [swift] = await askSwift([{ op: "ringdata", path: `${dir}/big.ring.gz` }]);
    const ours = readRingData(`${dir}/big.ring.gz`);
    assertEquals(asSwiftSees(ours), swift as SwiftRingData);
    assertEquals(ours.replica2part2dev, data.replica2part2dev);
  });
});

// Builds a ring file by hand so tests can break it in chosen ways.
function ringFile(
  meta: unknown,
  rows: Uint8Array,
  opts: { magic?: string; version?: number } = {},
) {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const raw = new Uint8Array(10 + json.length + rows.length);
  const view = new DataView(raw.buffer);
  raw.set(new TextEncoder().encode(opts.magic ?? "R1NG"), 0);
  view.setUint16(4, opts.version ?? 1);
  view.setUint32(6, json.length);
  raw.set(json, 10);
  raw.set(rows, 10 + json.length);
  return gzipSync(raw);
}

Deno.test("readRingData() names the file and the problem for corrupt rings", async () => {
  await withTempDir(async (dir) => {
    const good = buildRing([
      { ip: "10.0.0.1", port: 6200, device: "sda", weight: 1, zone: 1 },
      { ip: "10.0.0.2", port: 6200, device: "sdb", weight: 1, zone: 2 },
    ], { replicas: 2, partPower: 3 });
    const meta = { devs: good.devs, part_shift: 29, replica_count: 2, byteorder: "little" };
    const fullRows = new Uint8Array(32);
    const valid = encodeRingData(good);
    const cases: [string, Uint8Array, string][] = [
      ["missing", new Uint8Array(), "cannot read the file"],
      ["not_gzip", new TextEncoder().encode("hello"), "gzip stream is truncated or corrupt"],
      ["truncated", valid.subarray(0, valid.length - 9), "gzip stream is truncated or corrupt"],
      ["pickle", gzipSync(new TextEncoder().encode("\x80\x02}q\x00")), 'expected a "R1NG" ring'],
      ["version", ringFile(meta, fullRows, { version: 2 }), "unknown ring format version 2"],
      ["json", ringFile("{", new Uint8Array()), "metadata must be a JSON object"],
      ["short", ringFile(meta, fullRows.subarray(0, 14)), "replica 0 of 2 has 14 bytes"],
      ["no_shift", ringFile({ ...meta, part_shift: 40 }, fullRows), "'part_shift' must be"],
      [
        "bad_dev",
        ringFile(meta, new Uint8Array([...fullRows.subarray(0, 30), 5, 0])),
        "replica 1 of partition 7 is on device id 5",
      ],
      [
        "bad_device_field",
        ringFile({ ...meta, devs: [{ ...good.devs[0], port: "6200" }, good.devs[1]] }, fullRows),
        `device 0 'port' must be a number: current value is "6200"`,
      ],
    ];
    for (const [name, bytes, reason] of cases) {
      const path = `${dir}/${name}.ring.gz`;
      if (name !== "missing") await Deno.writeFile(path, bytes);
      const err = assertThrows(() => readRingData(path), RingFileError);
      assert(err.message.startsWith(`Cannot load ring "${path}": `), err.message);
      assert(err.message.includes(reason), `${name}: ${err.message}`);
      assertEquals(err.path, path);
    }
  });
});

Deno.test("writeRingData() replaces the file atomically with mode 0644 and no leftovers", async () => {
  await withTempDir(async (dir) => {
    const devices = [{ ip: "10.0.0.1", port: 6200, device: "sda", weight: 1 }];
    const path = `${dir}/account.ring.gz`;
    writeRingData(path, buildRing(devices, { replicas: 1, partPower: 2 }));
    const first = await Deno.stat(path);
    writeRingData(path, buildRing(devices, { replicas: 1, partPower: 3 }));
    const second = await Deno.stat(path);
    assert(first.ino !== second.ino, "a rename gives the file a new inode");
    assertEquals(second.mode! & 0o777, 0o644);
    assertEquals(readRingData(path).replica2part2dev[0].length, 8);
    assertEquals(Array.from(Deno.readDirSync(dir), (e) => e.name), ["account.ring.gz"]);
    assertThrows(
      () => writeRingData(`${dir}/missing/account.ring.gz`, readRingData(path)),
      Error,
      `Cannot write ring "${dir}/missing/account.ring.gz"`,
    );
  });
});
