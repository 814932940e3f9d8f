import { assertEquals } from "@std/assert";
import { Timestamp } from "../../lib/common/timestamp.ts";
import { DiskFileNoSpace } from "../../lib/object/diskfile_errors.ts";
import { headersOf, putText, testServer } from "./_server.ts";
import { FailingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";

function post(server: ReturnType<typeof testServer>, ts: string, headers = {}) {
  return server.send("POST", PATH, { headers: { "X-Timestamp": ts, ...headers } });
}

Deno.test("POST replaces the user metadata and answers 202 with the current Content-Type", async () => {
  const server = testServer();
  await putText(server, PATH, "x", {
    "X-Object-Meta-Old": "1",
    "X-Object-Sysmeta-Keep": "k",
    "Content-Type": "image/png",
  });
  const res = await post(server, "1700000001.00000", {
    "X-Object-Meta-New": "2",
    "X-Object-Sysmeta-Ignored": "posted sysmeta is not stored",
    "Content-Type": "text/html",
  });
  assertEquals(res.status, 202);
  assertEquals(headersOf(res), {
    "content-length": "76",
    "content-type": "text/html; charset=UTF-8",
    "x-backend-content-type": "text/html",
    "x-object-sysmeta-keep": "k",
  });
  const head = headersOf(await server.send("HEAD", PATH));
  assertEquals(head["x-object-meta-old"], undefined);
  assertEquals(head["x-object-meta-new"], "2");
  assertEquals(head["x-object-sysmeta-keep"], "k");
  assertEquals(head["x-object-sysmeta-ignored"], undefined);
  assertEquals(head["content-type"], "text/html");
  assertEquals(head["x-timestamp"], "1700000001.00000");
});

Deno.test("POST without Content-Type drops it in memory, as mem_diskfile does", async () => {
  const server = testServer();
  await putText(server, PATH, "x", { "Content-Type": "image/png" });
  const res = await post(server, "1700000001.00000", { "X-Object-Meta-A": "1" });
  assertEquals([res.status, res.headers.get("X-Backend-Content-Type")], [202, "image/png"]);
  const head = await server.send("HEAD", PATH);
  assertEquals(head.headers.get("Content-Type"), "application/octet-stream");
});

Deno.test("POST not newer than the object is a 409 with the object's X-Backend-Timestamp", async () => {
  const server = testServer();
  await putText(server, PATH, "x", { "X-Timestamp": "1700000005.00000" });
  for (const ts of ["1700000004.00000", "1700000005.00000"]) {
    const res = await post(server, ts, { "X-Object-Meta-A": "1" });
    assertEquals([res.status, res.headers.get("X-Backend-Timestamp")], [409, "1700000005.00000"]);
  }
});

Deno.test("POST of a missing object is a 404 without X-Backend-Timestamp", async () => {
  const server = testServer();
  const res = await post(server, "1700000001.00000");
  assertEquals([res.status, res.headers.get("X-Backend-Timestamp")], [404, null]);
});

Deno.test("POST validates X-Timestamp, X-Delete-At and Content-Type-Timestamp", async () => {
  const server = testServer();
  await putText(server, PATH, "x");
  const cases: [Record<string, string>, string][] = [
    [{ "X-Timestamp": "x" }, "Invalid X-Timestamp header"],
    [{ "X-Timestamp": "1700000001", "X-Delete-At": "1700000000" }, "X-Delete-At in past"],
    [{ "X-Timestamp": "1700000001", "X-Delete-At": "later" }, "Non-integer X-Delete-At"],
    [
      { "X-Timestamp": "1700000001", "Content-Type": "a/b", "Content-Type-Timestamp": "x" },
      "Invalid Content-Type-Timestamp header",
    ],
  ];
  for (const [headers, message] of cases) {
    const res = await server.send("POST", PATH, { headers });
    assertEquals([res.status, await res.text()], [400, message]);
  }
  const missing = await server.send("POST", PATH);
  assertEquals([missing.status, await missing.text()], [400, "Missing X-Timestamp header"]);
});

Deno.test("POST with an X-Delete-At makes the object expire at that time", async () => {
  const server = testServer();
  await putText(server, PATH, "x");
  assertEquals((await post(server, "1700000001", { "X-Delete-At": "1700000050" })).status, 202);
  const alive = await server.send("HEAD", PATH, { headers: { "X-Timestamp": "1700000049" } });
  assertEquals([alive.status, alive.headers.get("X-Delete-At")], [200, "1700000050"]);
  const gone = await server.send("HEAD", PATH, { headers: { "X-Timestamp": "1700000050" } });
  assertEquals(gone.status, 404);
});

Deno.test("POST sends the container a PUT with the data file's size, ETag and timestamps", async () => {
  const server = testServer();
  await putText(server, PATH, "hello", { "Content-Type": "a/b;swift_bytes=99" });
  const sent: Record<string, string>[] = [];
  const updating = testServer({
    backend: server.backend,
    send: (update) => {
      sent.push({ op: update.op, path: update.path, ...update.headers });
      return Promise.resolve({ status: 201, headers: new Headers() });
    },
  });
  const res = await updating.send("POST", PATH, {
    headers: {
      "X-Timestamp": "1700000002.00000",
      "Content-Type": "c/d",
      "Content-Type-Timestamp": "1700000001.00000",
      "X-Container-Host": "127.0.0.1:6201",
      "X-Container-Device": "sdc",
      "X-Container-Partition": "7",
      "X-Trans-Id": "tx1",
    },
  });
  assertEquals(res.status, 202);
  assertEquals(sent.length, 1);
  const update = sent[0];
  assertEquals(update.op, "PUT");
  assertEquals(update.path, "/a/c/o");
  assertEquals(update["X-Size"], "5");
  assertEquals(update["X-Etag"], "5d41402abc4b2a76b9719d911017c592");
  // The listing keeps SLO's swift_bytes from the data file's Content-Type.
  assertEquals(update["X-Content-Type"], "c/d;swift_bytes=99");
  assertEquals(update["X-Content-Type-Timestamp"], new Timestamp("1700000001").internal);
  assertEquals(update["X-Meta-Timestamp"], "1700000002.00000");
  assertEquals(update["X-Timestamp"], "1700000000.00000");
  assertEquals(update["X-Trans-Id"], "tx1");
  assertEquals(update["X-Backend-Storage-Policy-Index"], "0");
});

Deno.test("POST on a full disk is a 507 naming the device", async () => {
  const state = {
    metadata: { "X-Timestamp": "1700000000.00000", "Content-Length": "0", "ETag": "e" },
    datafileMetadata: {},
    metafileMetadata: {},
    timestamp: new Timestamp(1700000000),
    dataTimestamp: new Timestamp(1700000000),
    contentTypeTimestamp: new Timestamp(1700000000),
  };
  const server = testServer({
    backend: new FailingBackend({ state, post: new DiskFileNoSpace() }),
  });
  const res = await post(server, "1700000001.00000");
  assertEquals(res.status, 507);
  assertEquals(
    await res.text(),
    "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. " +
      "Drive: sda1</p></html>",
  );
});
