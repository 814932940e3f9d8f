import { assertEquals, assertMatch } from "@std/assert";
import { loadPickle } from "../../lib/common/pickle.ts";
import { Level } from "../../lib/log/format.ts";
import { HttpError } from "../../lib/server/http_error.ts";
import {
  DiskFileCollision,
  DiskFileDeviceUnavailable,
  DiskFileXattrNotSupported,
} from "../../lib/object/diskfile_errors.ts";
import { MemBackend } from "../../lib/object/mem_backend.ts";
import { bytes, putText, testServer } from "./_server.ts";
import { FailingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";

Deno.test("a path without all five parts is a 400 Invalid path, quoted as Swift quotes it", async () => {
  const server = testServer();
  const cases: [string, string][] = [
    ["/sda1/0/a/c", "Invalid path: /sda1/0/a/c"],
    ["/sda1/0/a//o", "Invalid path: /sda1/0/a//o"],
    ["/sda1//a/c/o", "Invalid path: /sda1//a/c/o"],
    ["/sda1/0/a%20b/c", "Invalid path: /sda1/0/a%20b/c"],
    // A WSGI path is latin-1; Swift quotes its characters as UTF-8, doubling the encoding.
    ["/sda1/0/%C3%A9", "Invalid path: /sda1/0/%C3%83%C2%A9"],
  ];
  for (const [path, message] of cases) {
    for (const method of ["GET", "PUT", "POST", "DELETE"]) {
      const res = await server.send(method, path, {
        headers: { "X-Timestamp": "1700000000", "Content-Length": "0", "Content-Type": "a/b" },
      });
      assertEquals([res.status, await res.text()], [400, message], `${method} ${path}`);
      assertEquals(res.headers.get("Content-Type"), "text/plain");
    }
  }
});

Deno.test("a path that is not UTF-8 is a 412", async () => {
  const server = testServer();
  const res = await server.send("GET", "/sda1/0/a/c/o%FF");
  assertEquals([res.status, await res.text()], [412, "Invalid UTF8 or contains NULL"]);
});

Deno.test("names may use the reserved namespace only in full", async () => {
  const server = testServer();
  const cases: [string, number, string][] = [
    ["/sda1/0/a%00x/c/o", 400, "Invalid reserved-namespace account"],
    ["/sda1/0/a/c%00x/o", 400, "Invalid reserved-namespace container"],
    ["/sda1/0/a/c/o%00x", 400, "Invalid reserved-namespace object"],
    ["/sda1/0/a/%00c/o", 400, "Invalid user-namespace object in reserved-namespace container"],
    ["/sda1/0/a/c/%00o", 400, "Invalid reserved-namespace object in user-namespace container"],
    ["/sda1/0/a/%00c/%00o", 404, ""],
    ["/sda1/0/.misplaced_objects/c/%00o", 404, ""],
  ];
  for (const [path, status, message] of cases) {
    const res = await server.send("GET", path);
    const text = await res.text();
    assertEquals(res.status, status, path);
    if (message) assertEquals(text, message);
  }
});

Deno.test("an unknown method is a 405 that lists the methods served in Allow", async () => {
  const server = testServer();
  const res = await server.send("BREW", PATH);
  assertEquals(res.status, 405);
  assertEquals(res.headers.get("Allow"), "DELETE, GET, HEAD, OPTIONS, POST, PUT, SSYNC");
  assertMatch(await res.text(), /Method Not Allowed/);
});

Deno.test("OPTIONS names the methods and Swift's server version", async () => {
  const server = testServer({ options: { replication_server: "false" } });
  const res = await server.send("OPTIONS", PATH);
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("Allow"), "DELETE, GET, HEAD, OPTIONS, POST, PUT");
  assertEquals(res.headers.get("Server"), "object-server/2.30.1");
  const ssync = await server.send("SSYNC", "/sda1/0");
  assertEquals(ssync.status, 405);
  await ssync.body?.cancel();
});

Deno.test("REPLICATE is a 405 over mem, and a protocol-2 pickle of the hashes otherwise", async () => {
  const mem = testServer();
  const refused = await mem.send("REPLICATE", "/sda1/0");
  assertEquals(refused.status, 405);
  await refused.body?.cancel();
  const asked: unknown[] = [];
  const backend = Object.assign(new MemBackend(), {
    getHashes(device: string, partition: string, suffixes: readonly string[], policy: number) {
      asked.push([device, partition, suffixes, policy]);
      return Promise.resolve({ abc: "d41d8cd98f00b204e9800998ecf8427e", def: null });
    },
  });
  const server = testServer({ backend });
  const res = await server.send("REPLICATE", "/sda1/12/abc-def");
  assertEquals(res.status, 200);
  const body = new Uint8Array(await res.arrayBuffer());
  assertEquals(body[0], 0x80); // PROTO
  assertEquals(body[1], 2);
  assertEquals(
    loadPickle(body),
    new Map<string, string | null>([["abc", "d41d8cd98f00b204e9800998ecf8427e"], ["def", null]]),
  );
  assertEquals(asked, [["sda1", "12", ["abc", "def"], 0]]);
});

Deno.test("SSYNC over mem fails with a logged 500, as mem_server's does", async () => {
  const server = testServer();
  const res = await server.send("SSYNC", "/sda1/0");
  assertEquals(res.status, 500);
  assertMatch(await res.text(), /SSYNC needs a backend/);
  const errors = server.lines.filter((l) => l.level === Level.ERROR);
  assertEquals(errors.map((l) => l.message), ["ERROR __call__ error with SSYNC /sda1/0 : "]);
});

Deno.test("an unexpected backend error is a 500 with the stack, logged with the exception", async () => {
  const boom = new TypeError("backend exploded");
  const server = testServer({ backend: new FailingBackend({ read: boom }) });
  const res = await server.send("GET", PATH, { headers: { "X-Trans-Id": "tx123" } });
  assertEquals(res.status, 500);
  assertMatch(await res.text(), /TypeError: backend exploded/);
  const error = server.lines.find((l) => l.level === Level.ERROR)!;
  assertEquals(error.message, "ERROR __call__ error with GET /sda1/0/a/c/o : ");
  assertEquals(error.error, boom);
  assertEquals(error.txnId, "tx123");
  const head = await server.send("HEAD", PATH);
  assertEquals([head.status, head.body], [500, null]);
});

Deno.test("backend failures map to Swift's 403 and 507", async () => {
  const cases: [ConstructorParameters<typeof FailingBackend>[0], number][] = [
    [{ getDiskFile: new DiskFileDeviceUnavailable() }, 507],
    [{ read: new DiskFileXattrNotSupported() }, 507],
    [{ read: new DiskFileCollision() }, 403],
  ];
  for (const [script, status] of cases) {
    const server = testServer({ backend: new FailingBackend(script) });
    for (const method of ["GET", "HEAD", "PUT", "POST", "DELETE"]) {
      const res = await putOrSend(server, method);
      assertEquals(res.status, status, `${method} ${JSON.stringify(Object.keys(script))}`);
      await res.body?.cancel();
    }
  }
});

function putOrSend(server: ReturnType<typeof testServer>, method: string) {
  if (method === "PUT") return putText(server, PATH, "x");
  return server.send(method, PATH, { headers: { "X-Timestamp": "1700000001" } });
}

Deno.test("a body that stalls (408) or breaks (499) ends the PUT with Swift's status", async () => {
  const server = testServer();
  for (
    const [error, status] of [[new HttpError(408, "Request Timeout"), 408], [
      new Error("connection reset"),
      499,
    ]] as const
  ) {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("part"));
        controller.error(error);
      },
    });
    const res = await server.send("PUT", PATH, {
      headers: { "X-Timestamp": "1700000000", "Content-Type": "a/b", "Content-Length": "10" },
      body,
    });
    assertEquals(res.status, status);
    await res.body?.cancel();
  }
  assertEquals((await server.send("HEAD", PATH)).status, 404);
});

Deno.test("each request is logged with Swift's access line, replication ones at DEBUG", async () => {
  const server = testServer();
  await putText(server, PATH, "hello", {
    "X-Trans-Id": "tx9",
    "User-Agent": "proxy-server 1",
    "Referer": "PUT http://x/v1/a/c/o",
    "X-Backend-Storage-Policy-Index": "0",
  });
  await (await server.send("HEAD", PATH, { headers: { "X-Backend-Replication": "True" } })).body
    ?.cancel();
  const [put, head] = server.lines;
  assertEquals(put.level, Level.INFO);
  assertEquals(put.txnId, "tx9");
  assertMatch(
    put.message,
    new RegExp(
      String
        .raw`^127\.0\.0\.1 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d \+0000\] "PUT /sda1/0/a/c/o" ` +
        String
          .raw`201 - "PUT http://x/v1/a/c/o" "tx9" "proxy-server 1" \d+\.\d{4} "-" ${Deno.pid} 0$`,
    ),
  );
  assertEquals(head.level, Level.DEBUG);
  assertMatch(head.message, /"HEAD \/sda1\/0\/a\/c\/o" 200 5 "-" "-" "-" /);
});

Deno.test("log_requests = false logs no access line", async () => {
  const server = testServer({ options: { log_requests: "false" } });
  await putText(server, PATH, "x");
  assertEquals(server.lines, []);
});

Deno.test("malformed requests always get a 4xx, never an unhandled error", async () => {
  const server = testServer();
  await putText(server, PATH, "x");
  const cases: [string, string, Record<string, string>][] = [
    ["PUT", "/", {}],
    ["PUT", "/sda1", {}],
    ["GET", "/sda1/0/a/c/", {}],
    ["PUT", PATH, { "X-Timestamp": "1e400" }],
    ["PUT", PATH, { "X-Timestamp": "nan" }],
    ["PUT", PATH, { "X-Timestamp": "1700000001", "Content-Length": "-1", "Content-Type": "a" }],
    ["PUT", PATH, { "X-Timestamp": "1700000001", "Content-Length": "1_0", "Content-Type": "a" }],
    ["POST", PATH, { "X-Timestamp": "1700000001", "X-Delete-At": "" }],
    ["DELETE", PATH, { "X-Timestamp": "1700000001_zz" }],
    ["GET", PATH, { Range: "bytes=99999999999999999999-" }],
    ["GET", PATH, { "If-Modified-Since": "Sun, 31 Feb 2023 00:00:00 GMT" }],
    ["GET", PATH, { "X-Backend-Fragment-Preferences": "{not json" }],
    ["REPLICATE", "/sda1", {}],
  ];
  for (const [method, path, headers] of cases) {
    const res = await server.send(method, path, { headers });
    await res.body?.cancel();
    const where = `${method} ${path} ${JSON.stringify(headers)}: ${res.status}`;
    assertEquals(res.status < 500, true, where);
  }
  assertEquals(server.lines.filter((l) => l.level >= Level.ERROR), []);
});
