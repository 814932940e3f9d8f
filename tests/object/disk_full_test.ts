/**
 * A full disk, for real: each device is a 1 MiB tmpfs mounted for the test (root only; the
 * tests are ignored otherwise, saying why). A PUT that cannot fit, one that would go below
 * fallocate_reserve, and one whose metadata xattrs do not fit get 507 from swiftd as from
 * Swift, leave no temp file, no partial object and no used space behind, and the device
 * trees of both stay identical. Mounted devices also pass mount_check.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { fsUsage } from "../../lib/common/fs_free_space.ts";
import {
  askSwift,
  askSwiftd,
  assertSameTree,
  type DiskRequest,
  diskServer,
  normalized,
  shmTempDir,
  toBase64,
  writeSwiftConf,
} from "./_disk_harness.ts";

async function run(cmd: string, ...args: string[]): Promise<{ ok: boolean; err: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  return { ok: out.success, err: new TextDecoder().decode(out.stderr).trim() };
}

/** Why these tests cannot run here, or undefined when tmpfs can be mounted. */
async function mountUnavailable(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "mounting a tmpfs needs root";
  const dir = await Deno.makeTempDir({ prefix: "swiftd-mount-probe-" });
  try {
    const mounted = await run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir);
    if (!mounted.ok) return `mount -t tmpfs failed: ${mounted.err}`;
    await run("umount", dir);
    return undefined;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const UNAVAILABLE = await mountUnavailable();
const skipped = UNAVAILABLE ? ` (ignored: ${UNAVAILABLE})` : "";

/** Mounts a tmpfs of `options` at each of `dirs` for `fn`, and unmounts them after. */
async function withTinyDevices(
  dirs: readonly string[],
  options: string,
  fn: () => Promise<void>,
): Promise<void> {
  const mounted: string[] = [];
  try {
    for (const dir of dirs) {
      await Deno.mkdir(dir, { recursive: true });
      const result = await run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir);
      if (!result.ok) throw new Error(`Cannot mount a tmpfs on "${dir}": ${result.err}`);
      mounted.push(dir);
    }
    await fn();
  } finally {
    for (const dir of mounted) await run("umount", dir);
  }
}

const T = Math.floor(Date.now() / 1000) - 600;

function put(name: string, n: number, size: number, headers: [string, string][] = []) {
  return {
    method: "PUT",
    path: `/sda1/0/AUTH_test/c/${name}`,
    headers: [
      ["X-Timestamp", (T + n).toFixed(5)],
      ["Content-Type", "application/octet-stream"],
      ...headers,
    ],
    body: toBase64(new Uint8Array(size).fill(0x61)),
  } as DiskRequest;
}

/** Regular files under `dir` other than the partition's lock and invalidation log. */
async function objectFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await objectFiles(path));
    else if (![".lock", "hashes.invalid"].includes(entry.name)) found.push(path);
  }
  return found;
}

Deno.test({
  name:
    `a PUT that does not fit or would go below fallocate_reserve gets 507 and leaves nothing${skipped}`,
  ignore: UNAVAILABLE !== undefined,
  async fn() {
    await using scratch = await shmTempDir("disk-full");
    const conf = await writeSwiftConf(scratch.path);
    const swiftDevice = join(scratch.path, "swift", "sda1");
    const swiftdDevice = join(scratch.path, "swiftd", "sda1");
    await withTinyDevices([swiftDevice, swiftdDevice], "size=1m", async () => {
      const free = fsUsage(swiftdDevice).free;
      const tooBig = [put("too-big", 1, 2 << 20)];
      const reserved = [put("under-reserve", 2, 600 << 10), put("small", 3, 10 << 10)];
      const swift = await askSwift(scratch.path, [
        { devices: join(scratch.path, "swift"), conf: { mount_check: "true" }, requests: tooBig },
        {
          devices: join(scratch.path, "swift"),
          fallocateReserve: "50%",
          requests: reserved,
        },
      ]);
      const swiftd = diskServer(join(scratch.path, "swiftd"), conf, { mount_check: "true" });
      const answers = await askSwiftd(swiftd, tooBig);
      assertEquals(answers.map(normalized), swift.jobs[0].map(normalized));
      assertEquals(answers[0].status, 507);
      assertEquals(await objectFiles(swiftdDevice), []);
      assertEquals(fsUsage(swiftdDevice).free, free);

      // Without a Content-Length nothing is preallocated: the write itself runs out of space.
      // (Swift lets that ENOSPC escape as a 500; swiftd answers 507 as for a known size.)
      const chunked = await askSwiftd(swiftd, [{ ...put("too-big", 4, 2 << 20), chunked: true }]);
      assertEquals(chunked[0].status, 507);
      assertEquals(await objectFiles(swiftdDevice), []);
      assertEquals(fsUsage(swiftdDevice).free, free);

      const reserving = diskServer(join(scratch.path, "swiftd"), conf, {
        fallocate_reserve: "50%",
      });
      const reservedAnswers = await askSwiftd(reserving, reserved);
      assertEquals(reservedAnswers.map(normalized), swift.jobs[1].map(normalized));
      assertEquals(reservedAnswers.map((a) => a.status), [507, 201]);
      await assertSameTree(join(scratch.path, "swiftd"), join(scratch.path, "swift"));
    });
  },
});

Deno.test({
  name:
    `a byte-count fallocate_reserve refuses what would go below it; disable_fallocate checks none${skipped}`,
  ignore: UNAVAILABLE !== undefined,
  async fn() {
    await using scratch = await shmTempDir("disk-reserve");
    const conf = await writeSwiftConf(scratch.path);
    const device = join(scratch.path, "swiftd", "sda1");
    await withTinyDevices([device], "size=1m", async () => {
      const devices = join(scratch.path, "swiftd");
      const reserving = diskServer(devices, conf, { fallocate_reserve: "800000" });
      const answers = await askSwiftd(reserving, [put("a", 1, 300 << 10), put("b", 2, 1000)]);
      assertEquals(answers.map((a) => a.status), [507, 201]);
      // With fallocate disabled, Swift checks no reserve either: only the space itself counts.
      const unchecked = diskServer(devices, conf, {
        fallocate_reserve: "800000",
        disable_fallocate: "true",
      });
      const more = await askSwiftd(unchecked, [put("c", 3, 300 << 10), put("d", 4, 2 << 20)]);
      assertEquals(more.map((a) => a.status), [201, 507]);
      const names = (await objectFiles(device)).map((p) => p.slice(device.length));
      assertEquals(names.filter((n) => n.endsWith(".data")).length, 2);
      assertEquals(names.filter((n) => !n.endsWith(".data") && !n.endsWith("hashes.pkl")), []);
    });
  },
});

Deno.test({
  name: `metadata xattrs that do not fit get 507 and leave no object, as in Swift${skipped}`,
  ignore: UNAVAILABLE !== undefined,
  async fn() {
    await using scratch = await shmTempDir("disk-xattr-full");
    const conf = await writeSwiftConf(scratch.path);
    const swiftDevice = join(scratch.path, "swift", "sda1");
    const swiftdDevice = join(scratch.path, "swiftd", "sda1");
    // tmpfs charges xattrs to its inode space (nr_inodes KiB): 24 leaves about 18 KiB.
    await withTinyDevices([swiftDevice, swiftdDevice], "size=1m,nr_inodes=24", async () => {
      const big: [string, string][] = [0, 1, 2].map((i) => [
        `X-Object-Sysmeta-Big-${i}`,
        "x".repeat(8000),
      ]);
      const requests = [put("big-metadata", 1, 100, big), put("small-metadata", 2, 100)];
      const swift = await askSwift(scratch.path, [
        { devices: join(scratch.path, "swift"), requests },
      ]);
      const answers = await askSwiftd(diskServer(join(scratch.path, "swiftd"), conf), requests);
      assertEquals(answers.map(normalized), swift.jobs[0].map(normalized));
      assertEquals(answers.map((a) => a.status), [507, 201]);
      assertEquals((await objectFiles(swiftdDevice)).length, 1);
      await assertSameTree(join(scratch.path, "swiftd"), join(scratch.path, "swift"));
    });
  },
});
