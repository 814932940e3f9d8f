/**
 * The object server over DiskBackend against real Swift 2.30's ObjectController, on disk:
 * the same requests (PUTs with non-ASCII and >64 KiB metadata, fast POSTs with Content-Type
 * timestamps, DELETEs, overwrites, expiry, a second policy, a partition power increase,
 * chunked uploads, failed container updates, REPLICATE) get the same answers, leave
 * identical device trees (names, modes, xattrs, data, hashes.pkl, async_pending bytes), and
 * each implementation reads what the other wrote, corruption and quarantine included.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { hashPath } from "../../lib/ring/hash_path.ts";
import { wirePath } from "./_request_corpus.ts";
import {
  askSwift,
  askSwiftd,
  assertSameTree,
  type Damage,
  type DiskRequest,
  diskServer,
  fromBase64,
  normalized,
  shmTempDir,
  snapshotTree,
  toBase64,
  writeSwiftConf,
} from "./_disk_harness.ts";

const T = Math.floor(Date.now() / 1000) - 3600;
const ts = (n: number) => (T + n).toFixed(5);
const ACCOUNT = "AUTH_test";
const CONTAINER = "cont";
const UPDATES: [string, string][] = [
  ["X-Container-Host", "127.0.0.1:1"],
  ["X-Container-Device", "sdb1"],
  ["X-Container-Partition", "3"],
];
const utf8 = (text: string) => new TextEncoder().encode(text);
/** A header value as a WSGI string: the UTF-8 bytes of `text`, one char per byte. */
const wsgi = (text: string) => String.fromCharCode(...utf8(text));

function objectPath(name: string, partition = "0"): string {
  return `/sda1/${partition}/${ACCOUNT}/${CONTAINER}/${wirePath(utf8(name))}`;
}

function request(
  method: string,
  path: string,
  headers: [string, string][],
  body?: string | Uint8Array,
): DiskRequest {
  const bytes = typeof body === "string" ? utf8(body) : body;
  return { method, path, headers, body: bytes === undefined ? null : toBase64(bytes) };
}

function put(name: string, n: number, body: string, headers: [string, string][] = []) {
  return request("PUT", objectPath(name), [
    ["X-Timestamp", ts(n)],
    ["Content-Type", "text/plain"],
    ["X-Trans-Id", `tx-put-${n}`],
    ...UPDATES,
    ...headers,
  ], body);
}

function post(name: string, n: number, headers: [string, string][]) {
  return request("POST", objectPath(name), [
    ["X-Timestamp", ts(n)],
    ["X-Trans-Id", `tx-post-${n}`],
    ...UPDATES,
    ...headers,
  ]);
}

function del(name: string, n: number, headers: [string, string][] = []) {
  return request("DELETE", objectPath(name), [
    ["X-Timestamp", ts(n)],
    ["X-Trans-Id", `tx-delete-${n}`],
    ...UPDATES,
    ...headers,
  ]);
}

const UNICODE = "dir/b\u00e9r \u{1F600}";
const BIG_SYSMETA: [string, string][] = Array.from(
  { length: 12 },
  (_, i) => [`X-Object-Sysmeta-Big-${i}`, wsgi(`${i}\u00e9`.repeat(1300))],
);

/** The writes both servers get, each object with its own story. */
function writes(): DiskRequest[] {
  const bigBody = new Uint8Array(200_000).map((_, i) => (i * 7) % 251);
  return [
    put("plain", 1, "hello world", [
      ["X-Object-Meta-Color", wsgi("bl\u00e9u")],
      ["Content-Disposition", "attachment"],
    ]),
    put(UNICODE, 2, "unicode name"),
    put("big-metadata", 3, "big", BIG_SYSMETA),
    put("posted", 10, "data", [["X-Object-Meta-A", "1"]]),
    post("posted", 11, [["X-Object-Meta-B", "2"]]),
    post("posted", 13, [
      ["Content-Type", "image/png"],
      ["Content-Type-Timestamp", ts(12)],
      ["X-Object-Meta-C", "3"],
    ]),
    post("posted", 14, [["X-Object-Meta-D", wsgi("\u00fc")]]),
    post("posted", 16, [["Content-Type", "text/html"], ["Content-Type-Timestamp", ts(15)]]),
    // Only the Content-Type is newer: the same .meta time, a new Content-Type time.
    post("posted", 16, [["Content-Type", "x/y"], ["Content-Type-Timestamp", ts(16)]]),
    put("deleted", 20, "soon gone"),
    del("deleted", 21),
    put("deleted", 19, "too old"),
    del("deleted", 21),
    put("overwritten", 30, "v1"),
    put("overwritten", 31, "version two", [["X-Object-Meta-V", "2"]]),
    put("expiring", 40, "tick", [
      ["X-Delete-At", String(T + 100)],
      ["X-Delete-At-Host", "127.0.0.1:1"],
      ["X-Delete-At-Device", "sdb2"],
      ["X-Delete-At-Partition", "9"],
      ["X-Delete-At-Container", String(T + 100 - ((T + 100) % 86400))],
    ]),
    // Older than reclaim_age: the tombstone is reclaimed as soon as it is written.
    request("PUT", objectPath("ancient"), [
      ["X-Timestamp", "1700000000.00000"],
      ["Content-Type", "text/plain"],
    ], "old"),
    request("DELETE", objectPath("ancient"), [["X-Timestamp", "1700000001.00000"]]),
    request("PUT", objectPath("silver"), [
      ["X-Timestamp", ts(50)],
      ["Content-Type", "text/plain"],
      ["X-Backend-Storage-Policy-Index", "1"],
      ["X-Trans-Id", "tx-silver"],
      ...UPDATES,
    ], "policy one"),
    put("relinked", 60, "next power", [["X-Backend-Next-Part-Power", "8"]]),
    { ...put("chunked", 70, ""), body: toBase64(bigBody), chunked: true },
    put("corrupt-etag", 80, "0123456789"),
    put("corrupt-size", 81, "0123456789"),
    request("REPLICATE", "/sda1/0", []),
    request("REPLICATE", `/sda1/0/${suffixOf("plain")}-fff`, []),
    request("REPLICATE", "/sda1/0", []),
    request("REPLICATE", "/sda1/7", []),
    request("REPLICATE", "/sda1/0", [["X-Backend-Storage-Policy-Index", "1"]]),
  ];
}

let hashPrefix: { prefix: Uint8Array; suffix: Uint8Array };

function hashOf(name: string): string {
  return hashPath(ACCOUNT, CONTAINER, name, hashPrefix);
}

function suffixOf(name: string): string {
  return hashOf(name).slice(-3);
}

/** Reads that change nothing on disk. */
function reads(): DiskRequest[] {
  const out: DiskRequest[] = [];
  const names = [
    "plain",
    UNICODE,
    "big-metadata",
    "posted",
    "deleted",
    "overwritten",
    "ancient",
    "relinked",
    "chunked",
    "missing",
  ];
  for (const name of names) {
    out.push(request("GET", objectPath(name), []));
    out.push(request("HEAD", objectPath(name), []));
  }
  out.push(request("GET", objectPath("plain"), [["Range", "bytes=2-4,-3"]]));
  out.push(request("GET", objectPath("chunked"), [["Range", "bytes=65530-65540"]]));
  out.push(request("GET", objectPath("silver"), [["X-Backend-Storage-Policy-Index", "1"]]));
  out.push(request("GET", objectPath("expiring"), [["X-Timestamp", ts(50)]]));
  out.push(request("GET", objectPath("expiring"), [["X-Timestamp", ts(200)]]));
  out.push(request("GET", objectPath("expiring"), [
    ["X-Timestamp", ts(200)],
    ["X-Backend-Replication", "True"],
  ]));
  return out;
}

/** GETs of the objects corrupted after the writes: each is quarantined. */
function corruptReads(): DiskRequest[] {
  return ["corrupt-etag", "corrupt-size"].flatMap((name) => [
    request("GET", objectPath(name), []),
    request("GET", objectPath(name), []),
  ]);
}

function dataFile(devices: string, name: string, n: number): string {
  const hash = hashOf(name);
  return join(devices, "sda1", "objects", "0", hash.slice(-3), hash, `${ts(n)}.data`);
}

/** The same damage for each tree: other bytes of the same length, and one byte more. */
function damage(devices: string): Damage[] {
  return [
    { path: dataFile(devices, "corrupt-etag", 80), data: toBase64(utf8("9876543210")) },
    { path: dataFile(devices, "corrupt-size", 81), data: toBase64(utf8("!")), append: true },
  ];
}

async function applyDamage(damages: readonly Damage[]): Promise<void> {
  for (const d of damages) {
    await Deno.writeFile(d.path, fromBase64(d.data), { append: d.append ?? false });
  }
}

Deno.test("Swift and swiftd answer alike, leave identical device trees, and read each other's objects", async () => {
  await using scratch = await shmTempDir("disk-diff");
  const root = scratch.path;
  {
    const conf = await writeSwiftConf(scratch.path);
    hashPrefix = conf.hashPath;
    const swiftTree = join(root, "swift");
    const swiftdTree = join(root, "swiftd");
    for (const tree of [swiftTree, swiftdTree]) {
      await Deno.mkdir(join(tree, "sda1"), { recursive: true });
    }
    const serverOn = (devices: string) => diskServer(devices, conf);

    const swiftdWrites = await askSwiftd(serverOn(swiftdTree), writes());
    const swiftdData = ["plain", "big-metadata", "posted"].map((name, i) =>
      dataFile(swiftdTree, name, [1, 3, 10][i])
    );
    const swiftData = swiftdData.map((path) => path.replace(swiftdTree, swiftTree));
    const swift = await askSwift(scratch.path, [
      { devices: swiftTree, requests: writes() },
      { devices: swiftTree, requests: reads() },
      { devices: swiftdTree, requests: reads() },
      { devices: swiftTree, damage: damage(swiftTree), requests: corruptReads() },
    ], { objectInfo: [...swiftData, ...swiftdData] });
    const swiftdOnSwift = await askSwiftd(serverOn(swiftTree), reads());
    const swiftdOnSwiftd = await askSwiftd(serverOn(swiftdTree), reads());
    await applyDamage(damage(swiftdTree));
    const swiftdCorrupt = await askSwiftd(serverOn(swiftdTree), corruptReads());

    const requests = writes();
    for (const [i, answer] of swift.jobs[0].entries()) {
      const where = `write ${i}: ${requests[i].method} ${requests[i].path}`;
      assertEquals(normalized(swiftdWrites[i]), normalized(answer), where);
    }
    const readRequests = reads();
    for (const [i, answer] of swift.jobs[1].entries()) {
      const where = `read ${i}: ${readRequests[i].method} ${readRequests[i].path}`;
      assertEquals(normalized(swift.jobs[2][i]), normalized(answer), `Swift on swiftd's, ${where}`);
      assertEquals(normalized(swiftdOnSwift[i]), normalized(answer), `swiftd on Swift's, ${where}`);
      assertEquals(
        normalized(swiftdOnSwiftd[i]),
        normalized(answer),
        `swiftd on its own, ${where}`,
      );
    }
    assertEquals(swiftdCorrupt.map(normalized), swift.jobs[3].map(normalized));
    assertEquals(swift.jobs[3].map((a) => a.status), [200, 404, 404, 404]);

    const infos = swift.objectInfo;
    for (let i = 0; i < swiftData.length; i++) {
      const mine = infos[swiftData.length + i];
      assertEquals(mine.code, 0, mine.output);
      assertEquals(
        mine.output.replaceAll(swiftdTree, "ROOT"),
        infos[i].output.replaceAll(swiftTree, "ROOT"),
      );
    }
    await assertSameTree(swiftdTree, swiftTree);
    // What the story above must have left, so that the comparison covers it.
    const tree = await snapshotTree(swiftdTree);
    const expected: [string, RegExp][] = [
      [
        "async_pending files",
        /^file sda1\/async_pending\/[0-9a-f]{3}\/[0-9a-f]{32}-\d+\.\d{5} 600 /,
      ],
      ["an async_pending of policy 1", /^file sda1\/async_pending-1\//],
      ["a .meta named with a Content-Type time", /\.\d{5}[+-][0-9a-f]+\.meta 755 /],
      ["metadata over two xattrs", / user\.swift\.metadata1=/],
      ["a copy in the next part power's partition", /^file sda1\/objects\/(?!0\/)\d+\/.*\.data /],
      ["quarantined objects", /^file sda1\/quarantined\/objects\/[0-9a-f]{32}\/.*\.data /],
      ["a tombstone", /^file sda1\/objects\/0\/.*\.ts 755 /],
      ["hashes.pkl of policy 1", /^file sda1\/objects-1\/0\/hashes\.pkl 600 /],
    ];
    for (const [what, pattern] of expected) {
      assertEquals(tree.some((line) => pattern.test(line)), true, `no ${what} on disk`);
    }
  }
});
