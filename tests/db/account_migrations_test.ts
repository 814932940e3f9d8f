import { assertEquals } from "@std/assert";
import { assertNoErrors, maskVolatile, type Op, runSwiftdOps, runSwiftOps } from "./_ops.ts";
import { legacyCopies } from "./_legacy.ts";
import { withTempDir } from "./_temp.ts";

Deno.test("a Swift 1.x account database reads and upgrades to storage policies exactly as Swift does it", async () => {
  await withTempDir(async (root) => {
    const [forSwift, forSwiftd] = await legacyCopies(root, "account");
    const kind = "account";
    const script = (db: string): Op[] => [
      { op: "info", db, kind },
      { op: "policy_stats", db, kind },
      { op: "list_containers", db, kind, delimiter: "/" },
      {
        op: "put_container",
        db,
        kind,
        name: "c3",
        put_timestamp: "0000000003.00000",
        delete_timestamp: "0",
        object_count: 2,
        bytes_used: 5,
        storage_policy_index: 1,
      },
      {
        op: "put_container",
        db,
        kind,
        name: "c1",
        put_timestamp: "0000000002.00000",
        delete_timestamp: "0000000004.00000",
        object_count: 0,
        bytes_used: 0,
        storage_policy_index: 0,
      },
      { op: "info", db, kind },
      { op: "policy_stats", db, kind },
      { op: "list_containers", db, kind },
      { op: "schema", db },
      { op: "rows", db, table: "container" },
      { op: "rows", db, table: "policy_stat" },
    ];
    const fromSwift = await runSwiftOps(script(forSwift));
    assertNoErrors(fromSwift);
    const fromSwiftd = await runSwiftdOps(script(forSwiftd));
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});
