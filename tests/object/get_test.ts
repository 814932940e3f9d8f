import { assertEquals, assertMatch } from "@std/assert";
import { Timestamp } from "../../lib/common/timestamp.ts";
import {
  DiskFileDeleted,
  DiskFileExpired,
  DiskFileNotExist,
  DiskFileQuarantined,
} from "../../lib/object/diskfile_errors.ts";
import { headersOf, putText, testServer } from "./_server.ts";
import { FailingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";
const BODY = "0123456789";
const MD5 = "781e5e245d69b566979b86e28d23f2c7";

async function storedServer(headers: Record<string, string> = {}) {
  const server = testServer();
  const res = await putText(server, PATH, BODY, { "X-Timestamp": "1700000000.12345", ...headers });
  assertEquals(res.status, 201);
  return server;
}

Deno.test("GET answers the object with Swift's headers", async () => {
  const server = await storedServer({ "X-Object-Meta-Color": "red" });
  const res = await server.send("GET", PATH);
  assertEquals(res.status, 200);
  assertEquals(headersOf(res), {
    "content-length": "10",
    "content-type": "text/plain",
    etag: `"${MD5}"`,
    "last-modified": "Tue, 14 Nov 2023 22:13:21 GMT",
    "x-backend-data-timestamp": "1700000000.12345",
    "x-backend-durable-timestamp": "1700000000.12345",
    "x-backend-timestamp": "1700000000.12345",
    "x-object-meta-color": "red",
    "x-timestamp": "1700000000.12345",
  });
  assertEquals(await res.text(), BODY);
});

Deno.test("HEAD answers GET's headers without a body", async () => {
  const server = await storedServer();
  const get = await server.send("GET", PATH);
  await get.body?.cancel();
  const head = await server.send("HEAD", PATH);
  assertEquals(head.status, 200);
  assertEquals(headersOf(head), headersOf(get));
  assertEquals(head.body, null);
});

Deno.test("GET of a missing object is a 404 with mem_server's zero X-Backend-Timestamp", async () => {
  const server = testServer();
  const res = await server.send("GET", PATH);
  assertEquals(res.status, 404);
  assertEquals(res.headers.get("X-Backend-Timestamp"), "0000000000.00000");
  assertEquals(
    await res.text(),
    "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>",
  );
  const head = await server.send("HEAD", PATH);
  assertEquals([head.status, head.headers.get("Content-Length"), head.body], [404, "0", null]);
});

Deno.test("GET and HEAD of a tombstone carry its timestamp; other misses carry none", async () => {
  const deletedAt = new Timestamp("1700000005.00000");
  const cases: [Error, string | null][] = [
    [new DiskFileDeleted({ "X-Timestamp": deletedAt.internal }), deletedAt.internal],
    [new DiskFileExpired({ "X-Timestamp": "1700000001.00000" }), "1700000001.00000"],
    [new DiskFileNotExist(), null],
    [new DiskFileQuarantined("bad"), null],
  ];
  for (const [error, header] of cases) {
    const server = testServer({ backend: new FailingBackend({ read: error }) });
    for (const method of ["GET", "HEAD"]) {
      const res = await server.send(method, PATH);
      await res.body?.cancel();
      assertEquals([res.status, res.headers.get("X-Backend-Timestamp")], [404, header]);
    }
  }
});

Deno.test("GET of an object past its X-Delete-At is a 404 at the request's X-Timestamp", async () => {
  const server = await storedServer({ "X-Delete-At": "1700000100" });
  const before = await server.send("GET", PATH, { headers: { "X-Timestamp": "1700000099.99999" } });
  assertEquals([before.status, await before.text()], [200, BODY]);
  const at = await server.send("HEAD", PATH, { headers: { "X-Timestamp": "1700000100" } });
  assertEquals([at.status, at.headers.get("X-Backend-Timestamp")], [404, null]);
  const now = await server.send("GET", PATH);
  assertEquals(now.status, 404);
  await now.body?.cancel();
});

Deno.test("GET with one range answers 206 with Content-Range", async () => {
  const server = await storedServer();
  const cases: [string, string, string][] = [
    ["bytes=2-4", "bytes 2-4/10", "234"],
    ["bytes=-3", "bytes 7-9/10", "789"],
    ["bytes=8-", "bytes 8-9/10", "89"],
    ["bytes=5-100", "bytes 5-9/10", "56789"],
    ["bytes=-100", "bytes 0-9/10", BODY],
  ];
  for (const [range, contentRange, body] of cases) {
    const res = await server.send("GET", PATH, { headers: { Range: range } });
    assertEquals(res.status, 206, range);
    assertEquals(res.headers.get("Content-Range"), contentRange);
    assertEquals(res.headers.get("Content-Length"), String(body.length));
    assertEquals(await res.text(), body);
  }
});

Deno.test("GET with several ranges answers multipart/byteranges as swob formats it", async () => {
  const server = await storedServer();
  const res = await server.send("GET", PATH, { headers: { Range: "bytes=0-1,-2" } });
  assertEquals(res.status, 206);
  const type = res.headers.get("Content-Type")!;
  assertMatch(type, /^multipart\/byteranges;boundary=[0-9a-f]{32}$/);
  const boundary = type.split("=")[1];
  const expected =
    `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n` +
    `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 8-9/10\r\n\r\n89\r\n` +
    `--${boundary}--`;
  assertEquals(await res.text(), expected);
  assertEquals(res.headers.get("Content-Length"), String(expected.length));
  assertEquals(res.headers.get("Content-Range"), null);
});

Deno.test("GET with an unsatisfiable range is a 416 with Content-Range bytes */length", async () => {
  const server = await storedServer();
  for (const range of ["bytes=10-", "bytes=-0", "bytes=0-0,0-1,0-2,0-3"]) {
    const res = await server.send("GET", PATH, { headers: { Range: range } });
    assertEquals(res.status, 416, range);
    assertEquals(res.headers.get("Content-Range"), "bytes */10");
    assertEquals(res.headers.get("Content-Type"), "text/plain");
    assertEquals(
      await res.text(),
      "<html><h1>Requested Range Not Satisfiable</h1><p>The Range requested is not available.</p></html>",
    );
  }
});

Deno.test("GET ignores a malformed Range and HEAD ignores any Range", async () => {
  const server = await storedServer();
  for (const range of ["bytes=5-2", "items=0-1", "bytes=a-b", "bytes=0-0,"]) {
    const res = await server.send("GET", PATH, { headers: { Range: range } });
    assertEquals([res.status, await res.text()], [200, BODY], range);
  }
  const head = await server.send("HEAD", PATH, { headers: { Range: "bytes=0-1" } });
  assertEquals([head.status, head.headers.get("Content-Length")], [200, "10"]);
});

Deno.test("GET answers a range of an empty object with the whole (empty) object", async () => {
  const server = testServer();
  await putText(server, PATH, "");
  const res = await server.send("GET", PATH, { headers: { Range: "bytes=-5" } });
  assertEquals([res.status, await res.text()], [200, ""]);
});

Deno.test("GET and HEAD answer If-None-Match and If-Modified-Since with an empty 304", async () => {
  const server = await storedServer();
  const cases: Record<string, string>[] = [
    { "If-None-Match": `"${MD5}"` },
    { "If-None-Match": "*" },
    { "If-Modified-Since": "Tue, 14 Nov 2023 22:13:21 GMT" },
    { "If-Modified-Since": "Wed, 15 Nov 2023 00:00:00 GMT" },
  ];
  for (const headers of cases) {
    for (const method of ["GET", "HEAD"]) {
      const res = await server.send(method, PATH, { headers });
      assertEquals(res.status, 304, JSON.stringify(headers));
      assertEquals(res.headers.get("Content-Length"), "0");
      assertEquals(res.headers.get("ETag"), `"${MD5}"`);
      assertEquals(await res.text(), "");
    }
  }
});

Deno.test("GET answers If-Match and If-Unmodified-Since that fail with an empty 412", async () => {
  const server = await storedServer();
  const cases: Record<string, string>[] = [
    { "If-Match": '"other"' },
    { "If-Unmodified-Since": "Tue, 14 Nov 2023 22:13:20 GMT" },
  ];
  for (const headers of cases) {
    const res = await server.send("GET", PATH, { headers });
    assertEquals([res.status, res.headers.get("Content-Length")], [412, "0"]);
    assertEquals(await res.text(), "");
  }
  const ok = await server.send("GET", PATH, {
    headers: { "If-Match": MD5, "If-Unmodified-Since": "Tue, 14 Nov 2023 22:13:21 GMT" },
  });
  assertEquals([ok.status, await ok.text()], [200, BODY]);
});

Deno.test("GET of a missing object with If-Match * is a 412", async () => {
  const server = testServer();
  const res = await server.send("GET", PATH, { headers: { "If-Match": "*" } });
  assertEquals([res.status, await res.text()], [412, ""]);
});

Deno.test("GET compares conditions with the metadata X-Backend-Etag-Is-At names", async () => {
  const server = await storedServer({ "X-Object-Sysmeta-Crypto-Etag": "plain-etag" });
  const headers = {
    "X-Backend-Etag-Is-At": "X-Object-Sysmeta-Missing, x-object-sysmeta-crypto-etag",
  };
  const match = await server.send("GET", PATH, {
    headers: { ...headers, "If-None-Match": '"plain-etag"' },
  });
  assertEquals(match.status, 304);
  const stored = await server.send("GET", PATH, { headers: { ...headers, "If-Match": MD5 } });
  assertEquals(stored.status, 412);
});

Deno.test("GET drops the Range when X-Backend-Ignore-Range-If-Metadata-Present names a key", async () => {
  const server = await storedServer({ "X-Static-Large-Object": "True" });
  const res = await server.send("GET", PATH, {
    headers: {
      Range: "bytes=0-1",
      "X-Backend-Ignore-Range-If-Metadata-Present": "x-static-large-object",
    },
  });
  assertEquals([res.status, await res.text()], [200, BODY]);
});

Deno.test("GET with a bad X-Timestamp is a 400", async () => {
  const server = await storedServer();
  const res = await server.send("GET", PATH, { headers: { "X-Timestamp": "nope" } });
  assertEquals([res.status, await res.text()], [400, "Invalid X-Timestamp header"]);
});
