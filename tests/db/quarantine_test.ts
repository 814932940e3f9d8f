import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { ContainerBroker } from "../../lib/container/broker.ts";
import { DatabaseQuarantinedError } from "../../lib/db/errors.ts";
import { withTempDir } from "./_temp.ts";

const HASH = "fedcba9876543210fedcba9876543210";

Deno.test("a corrupt database is moved to <device>/quarantined/containers/<hash> as Swift does", async () => {
  await withTempDir(async (root) => {
    const device = join(root, "sdb1");
    const [broker] = await ContainerBroker.createBroker(device, {
      partition: 1,
      account: "a",
      container: "c",
      hash: HASH,
    });
    broker.close();
    Deno.writeTextFileSync(broker.dbFile, "this is not a database at all, just text".repeat(200));
    const messages: string[] = [];
    using reader = new ContainerBroker(broker.dbFile, {
      logger: { error: (m) => messages.push(m), warning: () => {} },
    });
    const error = await assertRejects(() => reader.getInfo(), DatabaseQuarantinedError);
    const target = join(device, "quarantined", "containers", HASH);
    assertEquals(error.quarantinePath, target);
    assertEquals(Deno.statSync(join(target, `${HASH}.db`)).isFile, true);
    assertEquals(messages.length, 1);
    assertEquals(messages[0].includes("corrupted database"), true);
  });
});
