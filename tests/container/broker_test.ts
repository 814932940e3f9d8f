import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { ContainerBroker } from "../../lib/container/broker.ts";
import {
  assertFewErrors,
  assertNoErrors,
  maskVolatile,
  type Op,
  runSwiftdOps,
  runSwiftOps,
} from "../db/_ops.ts";
import { randomContainerOps } from "../db/_random_ops.ts";
import { copyTree, withTempDir } from "../db/_temp.ts";

const HASH = "d41d8cd98f00b204e9800998ecf8427e";

function dbIn(root: string, device = "sdb1"): string {
  return join(root, device, "containers", "7", HASH.slice(-3), HASH, `${HASH}.db`);
}

/** Writes that leave entries in the .pending file, covering merges of every timestamp kind. */
function writes(db: string): Op[] {
  return [
    {
      op: "initialize",
      db,
      account: "AUTH_t",
      container: "c\u00e9",
      put_timestamp: "0000000010.00000",
      storage_policy_index: 2,
    },
    {
      op: "put_object",
      db,
      name: "a",
      timestamp: "0000000011.00000",
      size: 3,
      content_type: "text/plain",
      etag: "e1",
      storage_policy_index: 2,
    },
    {
      op: "put_object",
      db,
      name: "d/1",
      timestamp: "0000000011.00000",
      size: 5,
      content_type: "x/y; swift_bytes=7",
      etag: "e2",
      storage_policy_index: 2,
    },
    {
      op: "put_object",
      db,
      name: "d/2/\u{1f600}",
      timestamp: "0000000012.00000",
      size: 9,
      content_type: "a/b",
      etag: "e3",
      storage_policy_index: 2,
    },
    {
      op: "put_object",
      db,
      name: "d/1",
      timestamp: "0000000011.50000",
      size: 6,
      content_type: "x/z;  p=1",
      etag: "e4",
      storage_policy_index: 2,
      meta_timestamp: "0000000013.00000",
    },
    {
      op: "put_object",
      db,
      name: "\u0000reserved",
      timestamp: "0000000011.00000",
      size: 1,
      content_type: "r/r",
      etag: "e5",
      storage_policy_index: 2,
    },
    {
      op: "put_object",
      db,
      name: "misplaced",
      timestamp: "0000000011.00000",
      size: 4,
      content_type: "m/m",
      etag: "e6",
      storage_policy_index: 0,
    },
    { op: "delete_object", db, name: "a", timestamp: "0000000014.00000", storage_policy_index: 2 },
    {
      op: "put_object",
      db,
      name: "a",
      timestamp: "0000000013.00000",
      size: 99,
      content_type: "old/old",
      etag: "old",
      storage_policy_index: 2,
    },
    {
      op: "update_metadata",
      db,
      updates: [["X-Container-Meta-Color", ["blue\u00e9", "0000000010.00000"]], ["42", [
        "n",
        "0000000010.00000",
      ]]],
    },
    {
      op: "update_metadata",
      db,
      updates: [["X-Container-Meta-Color", ["red", "0000000009.00000"]]],
    },
  ];
}

function reads(db: string): Op[] {
  return [
    { op: "info", db },
    { op: "is_deleted", db },
    { op: "empty", db },
    { op: "metadata", db },
    { op: "raw_metadata", db },
    { op: "policy_stats", db },
    { op: "list_objects", db, storage_policy_index: 2 },
    { op: "list_objects", db, storage_policy_index: 2, delimiter: "/" },
    {
      op: "list_objects",
      db,
      storage_policy_index: 2,
      prefix: "d/",
      delimiter: "/",
      reverse: true,
    },
    { op: "list_objects", db, storage_policy_index: 2, path: "d" },
    {
      op: "list_objects",
      db,
      storage_policy_index: 2,
      include_deleted: null,
      allow_reserved: true,
    },
    { op: "items_since", db },
    { op: "replication_info", db },
    { op: "rows", db, table: "object" },
    { op: "rows", db, table: "policy_stat" },
  ];
}

Deno.test("ContainerBroker creates a schema identical to Swift's, statement text included", async () => {
  await withTempDir(async (root) => {
    const swift = dbIn(root, "swift");
    const swiftd = dbIn(root, "swiftd");
    const init = (db: string): Op[] => [writes(db)[0], { op: "schema", db }];
    const [fromSwift, fromSwiftd] = [
      await runSwiftOps(init(swift)),
      await runSwiftdOps(init(swiftd)),
    ];
    assertEquals(fromSwiftd, fromSwift);
  });
});

Deno.test("Swift reads the same info, metadata and listings from a database and pending file swiftd wrote", async () => {
  await withTempDir(async (root) => {
    const written = await runSwiftdOps(writes(dbIn(root, "a")));
    assertNoErrors(written);
    copyTree(join(root, "a"), join(root, "b"));
    const swiftView = await runSwiftOps(reads(dbIn(root, "a")));
    const swiftdView = await runSwiftdOps(reads(dbIn(root, "b")));
    assertNoErrors(swiftView);
    assertEquals(swiftdView, swiftView);
  });
});

Deno.test("swiftd reads the same info, metadata and listings from a database and pending file Swift wrote", async () => {
  await withTempDir(async (root) => {
    const written = await runSwiftOps(writes(dbIn(root, "a")));
    assertNoErrors(written);
    const pending = Deno.statSync(`${dbIn(root, "a")}.pending`).size;
    assertEquals(pending > 0, true, "Swift left records in its .pending file");
    copyTree(join(root, "a"), join(root, "b"));
    const swiftdView = await runSwiftdOps(reads(dbIn(root, "a")));
    const swiftView = await runSwiftOps(reads(dbIn(root, "b")));
    assertNoErrors(swiftView);
    assertEquals(swiftdView, swiftView);
  });
});

for (const seed of [1, 2, 3]) {
  Deno.test(`a random sequence of object and metadata updates gives Swift's results (seed ${seed})`, async () => {
    await withTempDir(async (root) => {
      const fromSwift = await runSwiftOps(randomContainerOps(seed, dbIn(root, "swift"), 160));
      const fromSwiftd = await runSwiftdOps(randomContainerOps(seed, dbIn(root, "swiftd"), 160));
      assertFewErrors(fromSwift);
      assertFewErrors(fromSwift);
      assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
    });
  });
}

Deno.test("deleting a container blanks its metadata and marks it deleted the way Swift does", async () => {
  await withTempDir(async (root) => {
    const script = (db: string): Op[] => [
      ...writes(db),
      {
        op: "update_metadata",
        db,
        updates: [["X-Container-Sysmeta-Shard-Root", ["a/b", "0000000010.00000"]]],
      },
      { op: "delete_db", db, timestamp: "0000000020.00000" },
      { op: "is_deleted", db },
      {
        op: "delete_object",
        db,
        name: "d/1",
        timestamp: "0000000021.00000",
        storage_policy_index: 2,
      },
      {
        op: "delete_object",
        db,
        name: "d/2/\u{1f600}",
        timestamp: "0000000021.00000",
        storage_policy_index: 2,
      },
      {
        op: "delete_object",
        db,
        name: "\u0000reserved",
        timestamp: "0000000021.00000",
        storage_policy_index: 2,
      },
      { op: "is_deleted", db },
      { op: "empty", db },
      { op: "set_storage_policy_index", db, policy_index: 0, timestamp: "0000000022.00000" },
      { op: "empty", db },
      {
        op: "reported",
        db,
        put_timestamp: "0000000010.00000",
        delete_timestamp: "0000000020.00000",
        object_count: 0,
        bytes_used: 0,
      },
      { op: "reclaim", db, age_timestamp: 15.5, sync_timestamp: 15 },
      ...reads(db),
    ];
    const fromSwift = await runSwiftOps(script(dbIn(root, "swift")));
    const fromSwiftd = await runSwiftdOps(script(dbIn(root, "swiftd")));
    assertNoErrors(fromSwift);
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});

Deno.test("puts past the pending-file cap are merged as Swift merges them", async () => {
  await withTempDir(async (root) => {
    const script = (db: string): Op[] => [
      writes(db)[0],
      ...Array.from({ length: 700 }, (_, i): Op => ({
        op: "put_object",
        db,
        name: `object-${String(i).padStart(4, "0")}-${"x".repeat(150)}`,
        timestamp: `${String(100 + i).padStart(10, "0")}.00000`,
        size: i,
        content_type: "text/plain",
        etag: "etag",
        storage_policy_index: 2,
      })),
      { op: "rows", db, table: "object" },
      { op: "info", db },
    ];
    const swiftDb = dbIn(root, "swift");
    const fromSwift = await runSwiftOps(script(swiftDb));
    const fromSwiftd = await runSwiftdOps(script(dbIn(root, "swiftd")));
    assertNoErrors(fromSwift);
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});

Deno.test("createBroker() lays the database out as containers/<part>/<suffix>/<hash>/<hash>.db", async () => {
  await withTempDir(async (root) => {
    const [broker, created] = await ContainerBroker.createBroker(join(root, "sdb1"), {
      partition: 7,
      account: "AUTH_t",
      container: "c",
      hash: HASH,
    }, { putTimestamp: "0000000001.00000", storagePolicyIndex: 1 });
    using _broker = broker;
    assertEquals(created, true);
    assertEquals(broker.dbFile, dbIn(root));
    assertEquals((await broker.getInfo()).storage_policy_index, 1);
    const [again, createdAgain] = await ContainerBroker.createBroker(join(root, "sdb1"), {
      partition: 7,
      account: "AUTH_t",
      container: "c",
      hash: HASH,
    });
    again.close();
    assertEquals(createdAgain, false);
  });
});

Deno.test("rows replicated with merge_items() land and advance incoming_sync as in Swift", async () => {
  await withTempDir(async (root) => {
    const source = dbIn(root, "source");
    assertNoErrors(await runSwiftOps(writes(source)));
    const [items] = await runSwiftOps([{ op: "items_since", db: source, start: -1, count: 100 }]);
    const rows = (items as { ok: Record<string, unknown>[] }).ok;
    const script = (db: string): Op[] => [
      writes(db)[0],
      { op: "merge_items", db, items: rows.slice(0, 3), source: "remote-1" },
      { op: "merge_items", db, items: rows.slice(3), source: "remote-1" },
      { op: "merge_items", db, items: rows.slice(1, 2), source: "remote-2" },
      {
        op: "merge_syncs",
        db,
        points: [{ remote_id: "remote-2", sync_point: 1 }, { remote_id: "r3", sync_point: 9 }],
      },
      { op: "syncs", db },
      { op: "merge_syncs", db, incoming: false, points: [{ remote_id: "r4", sync_point: 4 }] },
      { op: "syncs", db, incoming: false },
      { op: "rows", db, table: "object" },
      { op: "info", db },
    ];
    const fromSwift = await runSwiftOps(script(dbIn(root, "swift")));
    assertNoErrors(fromSwift);
    const fromSwiftd = await runSwiftdOps(script(dbIn(root, "swiftd")));
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});
