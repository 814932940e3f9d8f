/**
 * DiskBackend's guards and fallbacks: devices that are not mount points (507, as Swift
 * answers), names that try to leave the devices directory, erasure-coded policies (503),
 * filesystems without O_TMPFILE (temp files in tmp[-N], as Swift writes them then), and
 * objects whose metadata is unreadable (quarantined) or names another object (403).
 */
import { assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { listXattrs, removeXattr } from "../../lib/common/xattr.ts";
import { DiskFileDeviceUnavailable } from "../../lib/object/diskfile_errors.ts";
import { hashPath } from "../../lib/ring/hash_path.ts";
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

const T = Math.floor(Date.now() / 1000) - 600;
const ts = (n: number) => (T + n).toFixed(5);

function request(method: string, path: string, headers: [string, string][] = [], body?: string) {
  return {
    method,
    path,
    headers,
    body: body === undefined ? null : toBase64(new TextEncoder().encode(body)),
  } as DiskRequest;
}

function put(path: string, n: number, extra: [string, string][] = []): DiskRequest {
  return request(
    "PUT",
    path,
    [["X-Timestamp", ts(n)], ["Content-Type", "text/plain"], ...extra],
    "x",
  );
}

async function namesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    out.push(entry.name);
    if (entry.isDirectory) out.push(...(await namesUnder(join(dir, entry.name))));
  }
  return out;
}

Deno.test("with mount_check a device that is not a mount point is refused with Swift's 507s", async () => {
  await using scratch = await shmTempDir("disk-mount-check");
  const conf = await writeSwiftConf(scratch.path);
  const [swiftTree, devices] = ["swift", "swiftd"].map((t) => join(scratch.path, t));
  for (const tree of [swiftTree, devices]) {
    await Deno.mkdir(join(tree, "sda1"), { recursive: true });
    await Deno.mkdir(join(tree, "stub1"), { recursive: true });
    // Swift's ismount() also accepts a ".ismount" file, for containers and symlinked devices.
    await Deno.writeTextFile(join(tree, "stub1", ".ismount"), "");
  }
  const requests = [
    put("/sda1/0/a/c/o", 1),
    request("GET", "/sda1/0/a/c/o"),
    request("HEAD", "/sda1/0/a/c/o"),
    request("POST", "/sda1/0/a/c/o", [["X-Timestamp", ts(2)]]),
    request("DELETE", "/sda1/0/a/c/o", [["X-Timestamp", ts(3)]]),
    request("REPLICATE", "/sda1/0"),
    request("REPLICATE", "/sda1/0/abc"),
    request("PUT", "/nonexistent/0/a/c/o", [["X-Timestamp", ts(4)], ["Content-Type", "a/b"]], ""),
    put("/stub1/0/a/c/o", 5),
    request("GET", "/stub1/0/a/c/o"),
  ];
  const swift = await askSwift(scratch.path, [
    { devices: swiftTree, conf: { mount_check: "true" }, requests },
  ]);
  const answers = await askSwiftd(diskServer(devices, conf, { mount_check: "true" }), requests);
  assertEquals(answers.map(normalized), swift.jobs[0].map(normalized));
  assertEquals(answers.map((a) => a.status), [507, 507, 507, 507, 507, 507, 507, 507, 201, 200]);
  assertMatch(atob(answers[0].body), /Drive: sda1/);
  assertEquals(await namesUnder(join(devices, "sda1")), []);
  await assertSameTree(devices, swiftTree);
});

Deno.test("names that try to leave the devices directory are refused and nothing lands outside it", async () => {
  await using scratch = await shmTempDir("disk-escape");
  const conf = await writeSwiftConf(scratch.path);
  const [swiftTree, devices] = ["swift", "swiftd"].map((t) => join(scratch.path, t));
  for (const tree of [swiftTree, devices]) {
    await Deno.mkdir(join(tree, "sda1"), { recursive: true });
  }
  const requests = [
    put("/sda1%2F..%2F..%2Fescaped/0/a/c/o", 1),
    put("/..%2Fescaped/0/a/c/o", 2),
    put("/sda1/..%2F..%2Fescaped/a/c/o", 3),
    // Account, container and object names are only ever hashed: these stay in sda1.
    put("/sda1/0/..%2F..%2F/c/o", 4),
    put("/sda1/0/..%2F../..%2F../..%2F..%2Fescaped", 5),
    request("GET", "/sda1/0/..%2F../..%2F../..%2F..%2Fescaped"),
    request("REPLICATE", "/sda1/..%2F..%2Fescaped"),
  ];
  const swift = await askSwift(scratch.path, [{ devices: swiftTree, requests }]);
  const answers = await askSwiftd(diskServer(devices, conf), requests);
  assertEquals(answers.map(normalized), swift.jobs[0].map(normalized));
  assertEquals(answers.map((a) => a.status), [400, 400, 400, 201, 201, 200, 400]);
  const everything = await namesUnder(scratch.path);
  assertEquals(everything.filter((n) => n.includes("escaped")), []);
  const listed = async (dir: string) =>
    (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  assertEquals((await listed(scratch.path)).sort(), ["swift", "swift.conf", "swiftd"]);
  assertEquals(await listed(devices), ["sda1"]);
  assertEquals(await listed(join(devices, "sda1")), ["objects"]);
  await assertSameTree(devices, swiftTree);

  // Below the controller too, whatever a caller passes, the backend stays inside.
  const { backend } = diskServer(devices, conf);
  const location = { partition: "0", account: "a", container: "c", object: "o", policyIndex: 0 };
  for (const device of ["", ".", "..", "../devices", "sda1/..", "sda1/../..", "a\0b"]) {
    await assertRejects(
      () => backend.diskFile({ ...location, device }),
      DiskFileDeviceUnavailable,
      undefined,
      `device ${JSON.stringify(device)}`,
    );
    await assertRejects(() => backend.getHashes(device, "0", [], 0), DiskFileDeviceUnavailable);
  }
  for (const partition of ["", ".", "..", "../..", "0/../.."]) {
    await assertRejects(
      () => backend.diskFile({ ...location, device: "sda1", partition }),
      RangeError,
    );
    await assertRejects(() => backend.getHashes("sda1", partition, [], 0), RangeError);
  }
});

Deno.test("an erasure-coded policy gets a 503 that names the policy", async () => {
  await using scratch = await shmTempDir("disk-ec");
  const conf = await writeSwiftConf(scratch.path);
  const devices = join(scratch.path, "devices");
  await Deno.mkdir(join(devices, "sda1"), { recursive: true });
  const ec: [string, string][] = [["X-Backend-Storage-Policy-Index", "2"]];
  const answers = await askSwiftd(diskServer(devices, conf), [
    put("/sda1/0/a/c/o", 1, ec),
    request("GET", "/sda1/0/a/c/o", ec),
    request("REPLICATE", "/sda1/0", ec),
    request("GET", "/sda1/0/a/c/o", [["X-Backend-Storage-Policy-Index", "7"]]),
  ]);
  assertEquals(answers.map((a) => a.status), [503, 503, 503, 503]);
  for (const answer of answers.slice(0, 3)) {
    assertEquals(
      atob(answer.body),
      "Storage policy 2 (deepfreeze) is an erasure_coding policy (liberasurecode_rs_vand 4+2); " +
        "swiftd does not implement erasure coding",
    );
  }
  assertEquals(atob(answers[3].body), "No policy with index 7");
  assertEquals(await namesUnder(join(devices, "sda1")), []);
});

Deno.test("without O_TMPFILE files are written in tmp[-N] and renamed, leaving Swift's tree", async () => {
  await using scratch = await shmTempDir("disk-mkstemp");
  const conf = await writeSwiftConf(scratch.path);
  const updates: [string, string][] = [
    ["X-Container-Host", "127.0.0.1:1"],
    ["X-Container-Device", "sdb1"],
    ["X-Container-Partition", "3"],
    ["X-Trans-Id", "tx-mkstemp"],
  ];
  const silver: [string, string][] = [["X-Backend-Storage-Policy-Index", "1"]];
  const requests = [
    put("/sda1/0/a/c/o", 1, updates),
    request("POST", "/sda1/0/a/c/o", [["X-Timestamp", ts(2)], ["X-Object-Meta-M", "1"]]),
    put("/sda1/0/a/c/gone", 3),
    request("DELETE", "/sda1/0/a/c/gone", [["X-Timestamp", ts(4)]]),
    put("/sda1/5/a/c/silver", 5, [...silver, ...updates]),
    request("GET", "/sda1/0/a/c/o"),
    request("GET", "/sda1/5/a/c/silver", silver),
    request("REPLICATE", "/sda1/0"),
  ];
  const [swiftTree, swiftdTree] = ["swift", "swiftd"].map((t) => join(scratch.path, t));
  for (const tree of [swiftTree, swiftdTree]) {
    await Deno.mkdir(join(tree, "sda1"), { recursive: true });
  }
  const swift = await askSwift(scratch.path, [
    { devices: swiftTree, useLinkat: false, requests },
  ]);
  const server = diskServer(swiftdTree, conf, {}, { useLinkat: false });
  const answers = await askSwiftd(server, requests);
  assertEquals(answers.map(normalized), swift.jobs[0].map(normalized));
  assertEquals(answers.map((a) => a.status), [201, 202, 201, 204, 201, 200, 200, 200]);
  assertEquals(await namesUnder(join(swiftdTree, "sda1", "tmp")), []);
  assertEquals(await namesUnder(join(swiftdTree, "sda1", "tmp-1")), []);
  await assertSameTree(swiftdTree, swiftTree);
});

Deno.test("unreadable metadata quarantines the object and another object's name is a 403", async () => {
  await using scratch = await shmTempDir("disk-quarantine");
  const conf = await writeSwiftConf(scratch.path);
  const devices = join(scratch.path, "devices");
  await Deno.mkdir(join(devices, "sda1"), { recursive: true });
  const server = diskServer(devices, conf);
  await askSwiftd(server, [put("/sda1/0/a/c/bare", 1), put("/sda1/0/a/c/first", 2)]);
  const dir = (name: string) => {
    const hash = hashPath("a", "c", name, conf.hashPath);
    return join(devices, "sda1", "objects", "0", hash.slice(-3), hash);
  };
  const bare = join(dir("bare"), `${ts(1)}.data`);
  for (const name of listXattrs(bare)) removeXattr(bare, name);
  // A copy of "first" (metadata and all) where "second" belongs: an md5 collision.
  await Deno.mkdir(dir("second"), { recursive: true });
  const copied = join(dir("second"), `${ts(2)}.data`);
  await new Deno.Command("cp", { args: ["-a", join(dir("first"), `${ts(2)}.data`), copied] })
    .output();
  const answers = await askSwiftd(server, [
    request("GET", "/sda1/0/a/c/bare"),
    request("GET", "/sda1/0/a/c/bare"),
    request("HEAD", "/sda1/0/a/c/second"),
    request("GET", "/sda1/0/a/c/first"),
  ]);
  assertEquals(answers.map((a) => a.status), [404, 404, 403, 200]);
  const hash = hashPath("a", "c", "bare", conf.hashPath);
  assertEquals(
    await namesUnder(join(devices, "sda1", "quarantined")),
    ["objects", hash, `${ts(1)}.data`],
  );
  const invalid = await Deno.readTextFile(join(devices, "sda1", "objects", "0", "hashes.invalid"));
  assertEquals(invalid.split("\n").includes(hash.slice(-3)), true);
  assertEquals((await namesUnder(dir("second"))).length, 1);
});
