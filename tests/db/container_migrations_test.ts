import { assertEquals } from "@std/assert";
import { assertNoErrors, maskVolatile, type Op, runSwiftdOps, runSwiftOps } from "./_ops.ts";
import { legacyCopies } from "./_legacy.ts";
import { withTempDir } from "./_temp.ts";

Deno.test("a Swift 1.x container database reads and upgrades to storage policies exactly as Swift does it", async () => {
  await withTempDir(async (root) => {
    const [forSwift, forSwiftd] = await legacyCopies(root, "container");
    const script = (db: string): Op[] => [
      { op: "info", db },
      { op: "policy_stats", db },
      { op: "list_objects", db, delimiter: "/" },
      {
        op: "put_object",
        db,
        name: "new",
        timestamp: "0000000003.00000",
        size: 5,
        content_type: "a/b",
        etag: "e3",
        storage_policy_index: 0,
      },
      {
        op: "delete_object",
        db,
        name: "old1",
        timestamp: "0000000004.00000",
        storage_policy_index: 0,
      },
      { op: "info", db },
      { op: "policy_stats", db },
      { op: "list_objects", db },
      { op: "update_metadata", db, updates: [["X-Container-Meta-K", ["v", "0000000005.00000"]]] },
      { op: "set_storage_policy_index", db, policy_index: 1, timestamp: "0000000006.00000" },
      { op: "info", db },
      { op: "schema", db },
      { op: "rows", db, table: "object" },
      { op: "rows", db, table: "policy_stat" },
    ];
    const fromSwift = await runSwiftOps(script(forSwift));
    assertNoErrors(fromSwift);
    const fromSwiftd = await runSwiftdOps(script(forSwiftd));
    assertEquals(maskVolatile(fromSwiftd), maskVolatile(fromSwift));
  });
});
