import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { LockTimeoutError } from "../../lib/db/errors.ts";
import { withParentDirectoryLock } from "../../lib/db/lock_parent_directory.ts";
import { withTempDir } from "./_temp.ts";

// Holds Swift's own lock_parent_directory() until stdin closes.
const HOLD_LOCK = `
import sys
from swift.common.utils import lock_parent_directory
with lock_parent_directory(sys.argv[1] + '/x.db.pending', 5):
    print('locked', flush=True)
    sys.stdin.read()
`;

Deno.test("withParentDirectoryLock() waits on the lock Swift holds and times out naming the lock file", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command("/usr/bin/python3", {
      args: ["-c", HOLD_LOCK, dir],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assertEquals(new TextDecoder().decode(first.value).trim(), "locked");
    const pending = join(dir, "x.db.pending");
    const error = await assertRejects(
      () => withParentDirectoryLock(pending, 0.2, () => "never"),
      LockTimeoutError,
    );
    assertEquals(error.lockPath, join(dir, ".lock"));
    await child.stdin.close();
    while (!(await reader.read()).done) { /* drain until Swift exits */ }
    await child.status;
    assertEquals(await withParentDirectoryLock(pending, 1, () => "got it"), "got it");
  });
});

Deno.test("withParentDirectoryLock() runs callers in one process one after another", async () => {
  await withTempDir(async (dir) => {
    const order: string[] = [];
    const path = join(dir, "x.db");
    const hold = (name: string) =>
      withParentDirectoryLock(path, 1, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b"), hold("c")]);
    assertEquals(order, ["a in", "a out", "b in", "b out", "c in", "c out"]);
  });
});
