import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { AccountBroker } from "../../lib/account/broker.ts";
import {
  assertFewErrors,
  assertNoErrors,
  maskVolatile,
  type Op,
  runSwiftdOps,
  runSwiftOps,
} from "../db/_ops.ts";
import { randomAccountOps } from "../db/_random_ops.ts";
import { copyTree, withTempDir } from "../db/_temp.ts";

const HASH = "0123456789abcdef0123456789abcdef";

function dbIn(root: string, device = "sdb1"): string {
  return AccountBroker.dbPath(join(root, device), 3, HASH);
}

function writes(db: string): Op[] {
  const kind = "account";
  return [
    { op: "initialize", db, kind, account: "AUTH_\u00fcser", put_timestamp: "0000000010.00000" },
    {
      op: "put_container",
      db,
      kind,
      name: "c1",
      put_timestamp: "0000000011.00000",
      delete_timestamp: "0",
      object_count: "3",
      bytes_used: "30",
      storage_policy_index: "0",
    },
    {
      op: "put_container",
      db,
      kind,
      name: "d/\u{1f600}",
      put_timestamp: "0000000011.00000",
      delete_timestamp: "0",
      object_count: 2,
      bytes_used: 7,
      storage_policy_index: 1,
    },
    {
      op: "put_container",
      db,
      kind,
      name: "d/x",
      put_timestamp: "0000000011.00000",
      delete_timestamp: "0",
      object_count: 0,
      bytes_used: 0,
      storage_policy_index: 1,
    },
    {
      op: "put_container",
      db,
      kind,
      name: "\u0000versions\u0000c1",
      put_timestamp: "0000000011.00000",
      delete_timestamp: "0",
      object_count: 1,
      bytes_used: 1,
      storage_policy_index: 0,
    },
    {
      op: "put_container",
      db,
      kind,
      name: "d/x",
      put_timestamp: "0000000011.00000",
      delete_timestamp: "0000000012.00000",
      object_count: 0,
      bytes_used: 0,
      storage_policy_index: 1,
    },
    {
      op: "put_container",
      db,
      kind,
      name: "c1",
      put_timestamp: "0000000010.50000",
      delete_timestamp: "0",
      object_count: 4,
      bytes_used: 40,
      storage_policy_index: 0,
    },
    {
      op: "update_metadata",
      db,
      kind,
      updates: [["X-Account-Meta-Quota", ["10", "0000000010.00000"]]],
    },
  ];
}

function reads(db: string): Op[] {
  const kind = "account";
  return [
    { op: "info", db, kind },
    { op: "is_deleted", db, kind },
    { op: "empty", db, kind },
    { op: "metadata", db, kind },
    { op: "raw_metadata", db, kind },
    { op: "policy_stats", db, kind },
    { op: "list_containers", db, kind },
    { op: "list_containers", db, kind, delimiter: "/" },
    { op: "list_containers", db, kind, prefix: "d/", reverse: true },
    { op: "list_containers", db, kind, allow_reserved: true, marker: "c1" },
    { op: "items_since", db, kind },
    { op: "replication_info", db, kind },
    { op: "rows", db, table: "container" },
    { op: "rows", db, table: "policy_stat" },
  ];
}

Deno.test("AccountBroker creates a schema identical to Swift's, statement text included", async () => {
  await withTempDir(async (root) => {
    const init = (db: string): Op[] => [writes(db)[0], { op: "schema", db }];
    const fromSwift = await runSwiftOps(init(dbIn(root, "swift")));
    const fromSwiftd = await runSwiftdOps(init(dbIn(root, "swiftd")));
    assertEquals(fromSwiftd, fromSwift);
  });
});

Deno.test("Swift reads the same account info and listings from a database and pending file swiftd wrote", async () => {
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

Deno.test("swiftd reads the same account info and listings from a database and pending file Swift wrote", async () => {
  await withTempDir(async (root) => {
    const written = await runSwiftOps(writes(dbIn(root, "a")));
    assertNoErrors(written);
    assertEquals(Deno.statSync(`${dbIn(root, "a")}.pending`).size > 0, true);
    copyTree(join(root, "a"), join(root, "b"));
    const swiftdView = await runSwiftdOps(reads(dbIn(root, "a")));
    const swiftView = await runSwiftOps(reads(dbIn(root, "b")));
    assertNoErrors(swiftView);
    assertEquals(swiftdView, swiftView);
  });
});

for (const seed of [11, 12, 13]) {
  Deno.test(`a random sequence of container updates gives Swift's account results (seed ${seed})`, async () => {
    await withTempDir(async (root) => {
      const fromSwift = await runSwiftOps(randomAccountOps(seed, dbIn(root, "swift"), 160));
      const fromSwiftd = await runSwiftdOps(randomAccountOps(seed, dbIn(root, "swiftd"), 160));
      assertFewErrors(fromSwift);
      assertFewErrors(fromSwift);
      assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
    });
  });
}

Deno.test("deleting and reclaiming an account matches Swift", async () => {
  await withTempDir(async (root) => {
    const kind = "account";
    const script = (db: string): Op[] => [
      ...writes(db),
      { op: "delete_db", db, kind, timestamp: "0000000020.00000" },
      { op: "is_deleted", db, kind },
      {
        op: "put_container",
        db,
        kind,
        name: "c1",
        put_timestamp: "0000000011.00000",
        delete_timestamp: "0000000021.00000",
        object_count: 0,
        bytes_used: 0,
        storage_policy_index: 0,
      },
      { op: "reclaim", db, kind, age_timestamp: 15.25, sync_timestamp: 15 },
      { op: "reclaim", db, kind, age_timestamp: 30, sync_timestamp: 30 },
      ...reads(db),
    ];
    const fromSwift = await runSwiftOps(script(dbIn(root, "swift")));
    const fromSwiftd = await runSwiftdOps(script(dbIn(root, "swiftd")));
    assertNoErrors(fromSwift);
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});
