import { assertEquals, assertMatch } from "@std/assert";
import { bytes, headersOf, putText, testServer } from "./_server.ts";
import { RecordingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";
const HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592";

Deno.test("PUT stores the body and answers 201 with its quoted MD5 as ETag", async () => {
  const server = testServer();
  const res = await putText(server, PATH, "hello");
  assertEquals(res.status, 201);
  assertEquals(headersOf(res), {
    "content-length": "0",
    "content-type": "text/html; charset=UTF-8",
    etag: `"${HELLO_MD5}"`,
  });
  const got = await server.send("GET", PATH);
  assertEquals(await got.text(), "hello");
});

Deno.test("PUT without X-Timestamp is a 400 naming the missing header", async () => {
  const server = testServer();
  const res = await server.send("PUT", PATH, {
    headers: { "Content-Type": "text/plain", "Content-Length": "0" },
  });
  assertEquals(res.status, 400);
  assertEquals(res.headers.get("Content-Type"), "text/plain");
  assertEquals(await res.text(), "Missing X-Timestamp header");
});

Deno.test("PUT with an unparsable X-Timestamp is a 400 Invalid X-Timestamp header", async () => {
  const server = testServer();
  for (const value of ["abc", "-1", "99999999999", "1.5_zz"]) {
    const res = await putText(server, PATH, "x", { "X-Timestamp": value });
    assertEquals([res.status, await res.text()], [400, "Invalid X-Timestamp header"], value);
  }
});

Deno.test("PUT older than or as old as the stored object is a 409 with its X-Backend-Timestamp", async () => {
  const server = testServer();
  await putText(server, PATH, "new", { "X-Timestamp": "1700000010.00000" });
  for (const ts of ["1700000009.00000", "1700000010.00000"]) {
    const res = await putText(server, PATH, "old", { "X-Timestamp": ts });
    assertEquals(res.status, 409);
    assertEquals(res.headers.get("X-Backend-Timestamp"), "1700000010.00000");
    assertMatch(await res.text(), /<h1>Conflict<\/h1>/);
  }
  const newer = await putText(server, PATH, "newer", {
    "X-Timestamp": "1700000010.00000_0000000000000001",
  });
  assertEquals(newer.status, 201);
  assertEquals(await (await server.send("GET", PATH)).text(), "newer");
});

Deno.test("PUT with a wrong ETag is a 422 and keeps the stored object", async () => {
  const server = testServer();
  await putText(server, PATH, "first");
  const res = await putText(server, PATH, "hello", {
    "X-Timestamp": "1700000001.00000",
    "ETag": "0123456789abcdef0123456789abcdef",
  });
  assertEquals(res.status, 422);
  assertEquals(await (await server.send("GET", PATH)).text(), "first");
  const quoted = await putText(server, PATH, "hello", {
    "X-Timestamp": "1700000002.00000",
    "ETag": `"${HELLO_MD5}"`,
  });
  assertEquals(quoted.status, 201);
});

Deno.test("PUT that sends fewer bytes than its Content-Length is a 499", async () => {
  const server = testServer();
  const res = await server.send("PUT", PATH, {
    headers: { "X-Timestamp": "1700000000.00000", "Content-Type": "a/b", "Content-Length": "10" },
    body: bytes("short"),
  });
  assertEquals(res.status, 499);
  assertEquals((await server.send("GET", PATH)).status, 404);
});

Deno.test("PUT reads no more than its Content-Length, as eventlet's input stops there", async () => {
  const server = testServer();
  const res = await server.send("PUT", PATH, {
    headers: { "X-Timestamp": "1700000000.00000", "Content-Type": "a/b", "Content-Length": "3" },
    body: bytes("abcdef"),
  });
  assertEquals(res.status, 201);
  assertEquals(await (await server.send("GET", PATH)).text(), "abc");
});

Deno.test("PUT takes a chunked body without Content-Length", async () => {
  const server = testServer();
  const res = await server.send("PUT", PATH, {
    headers: {
      "X-Timestamp": "1700000000.00000",
      "Content-Type": "a/b",
      "Transfer-Encoding": "chunked",
    },
    body: bytes("chunked body"),
  });
  assertEquals(res.status, 201);
  const got = await server.send("GET", PATH);
  assertEquals(got.headers.get("Content-Length"), "12");
  assertEquals(await got.text(), "chunked body");
});

Deno.test("PUT refuses bad lengths and transfer codings with Swift's statuses", async () => {
  const server = testServer();
  const base = { "X-Timestamp": "1700000000.00000", "Content-Type": "a/b" };
  const cases: [Record<string, string>, number, string][] = [
    [{ "Content-Length": "abc" }, 400, "Invalid Content-Length header value"],
    [{}, 411, "Missing Content-Length header."],
    [{ "Content-Length": "5368709123" }, 413, "Your request is too large."],
    [{ "Transfer-Encoding": "gzip" }, 400, "Invalid Transfer-Encoding header value"],
    [
      { "Transfer-Encoding": "gzip,chunked" },
      501,
      "Unsupported Transfer-Coding header value specified in Transfer-Encoding header",
    ],
  ];
  for (const [headers, status, body] of cases) {
    const res = await server.send("PUT", PATH, { headers: { ...base, ...headers } });
    assertEquals([res.status, await res.text()], [status, body], JSON.stringify(headers));
  }
});

Deno.test("PUT needs a UTF-8 Content-Type and a short enough name", async () => {
  const server = testServer();
  const noType = await server.send("PUT", PATH, {
    headers: { "X-Timestamp": "1700000000.00000", "Content-Length": "0" },
  });
  assertEquals([noType.status, await noType.text()], [400, "No content type"]);
  const badType = await putText(server, PATH, "", { "Content-Type": "a\u00ffb" });
  assertEquals([badType.status, await badType.text()], [400, "Invalid Content-Type"]);
  const long = await putText(server, `/sda1/0/a/c/${"\u00e9".repeat(1025)}`, "");
  assertEquals([long.status, await long.text()], [
    400,
    "Object name length of 1025 longer than 1024",
  ]);
});

Deno.test("PUT stores user metadata, sysmeta, transient sysmeta and allowed headers only", async () => {
  const server = testServer();
  await putText(server, PATH, "x", {
    "X-Object-Meta-Color": "blue",
    "x-object-meta-snake_case": "s",
    "X-Object-Sysmeta-Crypto": "c",
    "X-Object-Transient-Sysmeta-T": "t",
    "Content-Disposition": "inline",
    "X-Delete-At": "9000000000",
    "Cache-Control": "no-cache",
    "X-Unknown": "dropped",
    "X-Object-Meta-": "empty name is refused",
  }).then(async (res) => assertEquals(await res.text(), "Metadata name cannot be empty"));
  await putText(server, PATH, "x", {
    "X-Object-Meta-Color": "blue",
    "x-object-meta-snake_case": "s",
    "X-Object-Sysmeta-Crypto": "c",
    "X-Object-Transient-Sysmeta-T": "t",
    "Content-Disposition": "inline",
    "Cache-Control": "no-cache",
    "X-Unknown": "dropped",
  });
  const res = await server.send("HEAD", PATH);
  const headers = headersOf(res);
  assertEquals(headers["x-object-meta-color"], "blue");
  assertEquals(headers["x-object-meta-snake-case"], "s");
  assertEquals(headers["x-object-sysmeta-crypto"], "c");
  assertEquals(headers["x-object-transient-sysmeta-t"], "t");
  assertEquals(headers["content-disposition"], "inline");
  assertEquals(headers["cache-control"], "no-cache");
  assertEquals(headers["x-unknown"], undefined);
});

Deno.test("PUT checks metadata sizes and counts against Swift's constraints", async () => {
  const server = testServer();
  const tooMany = Object.fromEntries(
    Array.from({ length: 91 }, (_, i) => [`X-Object-Meta-K${i}`, "v"]),
  );
  const cases: [Record<string, string>, string][] = [
    [
      { [`X-Object-Meta-${"n".repeat(129)}`]: "v" },
      // swob lists header names title-cased.
      `Metadata name too long: x-object-meta-N${"n".repeat(128)}`,
    ],
    [{ "X-Object-Meta-V": "v".repeat(257) }, "Metadata value longer than 256: x-object-meta-V"],
    [tooMany, "Too many metadata items; max 90"],
    [{ "X-Other": "h".repeat(8193) }, "Header value too long: X-Other"],
  ];
  for (const [headers, message] of cases) {
    const res = await putText(server, PATH, "", headers);
    assertEquals([res.status, await res.text()], [400, message]);
  }
});

Deno.test("PUT refuses an X-Delete-At or X-Delete-After in the past and converts -After", async () => {
  const server = testServer();
  const cases: [Record<string, string>, string][] = [
    [{ "X-Delete-At": "1700000000" }, "X-Delete-At in past"],
    [{ "X-Delete-At": "soon" }, "Non-integer X-Delete-At"],
    [{ "X-Delete-After": "0" }, "X-Delete-After in past"],
    [{ "X-Delete-After": "1.5" }, "Non-integer X-Delete-After"],
  ];
  for (const [headers, message] of cases) {
    const res = await putText(server, PATH, "", headers);
    assertEquals([res.status, await res.text()], [400, message]);
  }
  await putText(server, PATH, "x", { "X-Delete-After": "60" });
  const head = await server.send("HEAD", PATH, { headers: { "X-Timestamp": "1700000001" } });
  assertEquals(head.headers.get("X-Delete-At"), "1700000060");
});

Deno.test("PUT with If-None-Match * or the current ETag is a 412 when the object exists", async () => {
  const server = testServer();
  assertEquals((await putText(server, PATH, "hello", { "If-None-Match": "*" })).status, 201);
  for (const value of ["*", `"${HELLO_MD5}"`, `"other", ${HELLO_MD5}`]) {
    const res = await putText(server, PATH, "again", {
      "X-Timestamp": "1700000001.00000",
      "If-None-Match": value,
    });
    assertEquals(res.status, 412, value);
  }
  const other = await putText(server, PATH, "again", {
    "X-Timestamp": "1700000001.00000",
    "If-None-Match": '"nope"',
  });
  assertEquals(other.status, 201);
});

Deno.test("PUT hands the backend the location, policy and chunks of the upload", async () => {
  const backend = new RecordingBackend();
  const server = testServer({ backend, policies: new Set([0, 2]) });
  const res = await putText(server, "/sdb3/1234/AUTH_x/cont/dir/obj", "abc", {
    "X-Backend-Storage-Policy-Index": "2",
  });
  assertEquals(res.status, 201);
  assertEquals(backend.seen.locations.at(-1), {
    device: "sdb3",
    partition: "1234",
    account: "AUTH_x",
    container: "cont",
    object: "dir/obj",
    policyIndex: 2,
  });
  assertEquals(backend.seen.written, [3]);
  const unknown = await putText(server, PATH, "abc", { "X-Backend-Storage-Policy-Index": "1" });
  assertEquals([unknown.status, await unknown.text()], [503, "No policy with index 1"]);
});

Deno.test("PUT with X-Backend-Obj-Content-Length tells a chunked upload's size; a bad one is 400", async () => {
  const server = testServer();
  const res = await server.send("PUT", PATH, {
    headers: {
      "X-Timestamp": "1700000000.00000",
      "Content-Type": "a/b",
      "Transfer-Encoding": "chunked",
      "X-Backend-Obj-Content-Length": "x",
    },
    body: bytes("abc"),
  });
  assertEquals([res.status, await res.text()], [
    400,
    "invalid literal for int() with base 10: 'x'",
  ]);
});
