import { assertEquals } from "@std/assert";
import { Timestamp } from "../../lib/common/timestamp.ts";
import { DiskFileDeleted, DiskFileExpired } from "../../lib/object/diskfile_errors.ts";
import { headersOf, putText, testServer } from "./_server.ts";
import { FailingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";

function del(server: ReturnType<typeof testServer>, ts: string, headers = {}) {
  return server.send("DELETE", PATH, { headers: { "X-Timestamp": ts, ...headers } });
}

Deno.test("DELETE of a stored object is a 204 with X-Backend-Timestamp and Content-Type", async () => {
  const server = testServer();
  await putText(server, PATH, "x", { "Content-Type": "image/gif" });
  const res = await del(server, "1700000001.00000");
  assertEquals(res.status, 204);
  assertEquals(headersOf(res), {
    "content-length": "0",
    "content-type": "text/html; charset=UTF-8",
    "x-backend-content-type": "image/gif",
    "x-backend-timestamp": "1700000001.00000",
  });
  assertEquals((await server.send("HEAD", PATH)).status, 404);
});

Deno.test("DELETE not newer than the object is a 409 and leaves it", async () => {
  const server = testServer();
  await putText(server, PATH, "x", { "X-Timestamp": "1700000005.00000" });
  const res = await del(server, "1700000004.00000");
  assertEquals([res.status, res.headers.get("X-Backend-Timestamp")], [409, "1700000005.00000"]);
  await res.body?.cancel();
  assertEquals((await server.send("HEAD", PATH)).status, 200);
});

Deno.test("DELETE of nothing is a 404 carrying the request's timestamp", async () => {
  const server = testServer();
  const res = await del(server, "1700000001.00000");
  assertEquals(res.status, 404);
  assertEquals(res.headers.get("X-Backend-Timestamp"), "1700000001.00000");
  assertEquals(res.headers.get("X-Backend-Content-Type"), "");
});

Deno.test("DELETE places a tombstone newer than an older tombstone, and keeps the newest time", async () => {
  const tombstone = new DiskFileDeleted({ "X-Timestamp": "1700000010.00000" });
  const backend = new FailingBackend({ read: tombstone });
  const server = testServer({ backend });
  const older = await del(server, "1700000009.00000");
  assertEquals([older.status, older.headers.get("X-Backend-Timestamp")], [404, "1700000010.00000"]);
  assertEquals(backend.deleted.length, 0);
  const newer = await del(server, "1700000011.00000");
  assertEquals([newer.status, newer.headers.get("X-Backend-Timestamp")], [404, "1700000011.00000"]);
  assertEquals(backend.deleted.map((t) => t.internal), ["1700000011.00000"]);
});

Deno.test("DELETE of an expired object tells the expirer queue and answers 404", async () => {
  const expired = new DiskFileExpired({
    "X-Timestamp": "1700000000.00000",
    "X-Delete-At": "1700000050",
    "Content-Type": "a/b",
  });
  const backend = new FailingBackend({ read: expired });
  const server = testServer({ backend });
  const res = await del(server, "1700000060.00000");
  assertEquals([res.status, res.headers.get("X-Backend-Content-Type")], [404, "a/b"]);
  // With no expirer hosts the queue update is kept for the updater.
  assertEquals(backend.asyncUpdates.length, 1);
  const update = backend.asyncUpdates[0];
  assertEquals([update.op, update.account], ["DELETE", ".expiring_objects"]);
  assertEquals(update.object, "1700000050-a/c/o");
});

Deno.test("DELETE with X-If-Delete-At deletes only the object the expirer queued", async () => {
  const server = testServer();
  await putText(server, PATH, "x", { "X-Delete-At": "1700000100" });
  const cases: [string, string, number][] = [
    ["1700000001", "bad", 400],
    ["1700000001", "1700000099", 412],
    ["1700000000", "1700000100", 409],
    ["1700000002", "1700000100", 204],
  ];
  for (const [ts, ifDeleteAt, status] of cases) {
    const res = await del(server, ts, { "X-If-Delete-At": ifDeleteAt });
    assertEquals(res.status, status, `${ts} ${ifDeleteAt}`);
    await res.body?.cancel();
  }
  const none = await del(server, "1700000003", { "X-If-Delete-At": "1700000100" });
  assertEquals(none.status, 404);
  assertEquals(none.headers.get("X-Backend-Timestamp"), null);
});

Deno.test("DELETE needs a valid X-Timestamp", async () => {
  const server = testServer();
  const res = await server.send("DELETE", PATH, { headers: { "X-Timestamp": "yesterday" } });
  assertEquals([res.status, await res.text()], [400, "Invalid X-Timestamp header"]);
  const t = new Timestamp("1700000000.00000_0000000000000001");
  assertEquals((await del(server, t.internal)).status, 404);
});
