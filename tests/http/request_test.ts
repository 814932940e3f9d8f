import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { frameChunk } from "../../lib/http/_chunk_framing.ts";
import { endpointLabel } from "../../lib/http/endpoint.ts";
import { ChunkReadTimeout, ConnectionRefused, swiftLogDetail } from "../../lib/http/errors.ts";
import { request } from "../../lib/http/request.ts";
import { closedPort, httpServer, rawServer } from "./_servers.ts";

const timeouts = { connTimeout: 2, nodeTimeout: 5 };

Deno.test("request() sends a small PUT body with the Content-Length it adds, and reads the reply", async () => {
  let seen: { length: string | null; body: string; meta: string | null } | undefined;
  const server = httpServer(async (req) => {
    seen = {
      length: req.headers.get("content-length"),
      body: await req.text(),
      meta: req.headers.get("x-object-meta-color"),
    };
    return new Response("created", { status: 201, headers: { "X-Backend-Timestamp": "1.5" } });
  });
  try {
    const response = await request(server.endpoint, {
      method: "PUT",
      path: "/sda1/3/a/c",
      headers: [["X-Object-Meta-Color", "blue"]],
      body: new TextEncoder().encode("payload"),
      ...timeouts,
    });
    assertEquals(response.status, 201);
    assertEquals(response.headers.get("x-backend-timestamp"), "1.5");
    assertEquals(await response.text(), "created");
  } finally {
    await server.close();
  }
  assertEquals(seen, { length: "7", body: "payload", meta: "blue" });
});

Deno.test("request() without a pool closes its connection once the response is read", async () => {
  let eof = false;
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    eof = (await peer.readHead()) === null;
  });
  try {
    const response = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
    assertEquals(await response.text(), "ok");
  } finally {
    await server.close();
  }
  assert(eof);
});

Deno.test("BackendResponse.bytes() refuses a body over its limit and the body cannot be taken twice", async () => {
  const server = httpServer(() => new Response("x".repeat(100000)));
  try {
    const big = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
    await assertRejects(() => big.bytes(1000), RangeError, "larger than 1000 bytes");
    assertThrows(() => big.body, TypeError, "it was already taken");
    const small = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
    assertEquals((await small.bytes(100000)).length, 100000);
    assert(small.bodyUsed);
  } finally {
    await server.close();
  }
});

Deno.test("A body that arrived with the head reads the same through body, bytes() and text()", async () => {
  const server = httpServer(() => new Response("small"));
  try {
    for (const take of ["body", "bytes", "text"] as const) {
      const response = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
      const text = take === "body"
        ? await new Response(response.body).text()
        : take === "bytes"
        ? new TextDecoder().decode(await response.bytes())
        : await response.text();
      assertEquals(text, "small", take);
    }
  } finally {
    await server.close();
  }
});

Deno.test("swiftLogDetail() completes Swift's 'ERROR with ... re: ...' line for backend failures", async () => {
  const endpoint = closedPort();
  const err = await request(endpoint, { method: "GET", path: "/sda1/1/a/c/o", ...timeouts })
    .catch((e) => e);
  assert(err instanceof ConnectionRefused);
  const line = `ERROR with Object server ${endpointLabel(err.endpoint)}/sda1 re: ` +
    `Trying to GET /a/c/o: ${swiftLogDetail(err)}`;
  assertEquals(
    line,
    `ERROR with Object server 127.0.0.1:${endpoint.port}/sda1 re: Trying to GET /a/c/o: Connection refused`,
  );
  assertEquals(swiftLogDetail(new ChunkReadTimeout(endpoint, 10)), "ChunkReadTimeout (10.0s)");
  assertEquals(swiftLogDetail(new TypeError("boom")), "TypeError: boom");
});

Deno.test("frameChunk() writes the hex size line, the data and CRLF, or declines when it cannot fit", () => {
  const scratch = new Uint8Array(32);
  const n = frameChunk(new Uint8Array(26).fill(0x61), scratch);
  assertEquals(String.fromCharCode(...scratch.subarray(0, n)), `1a\r\n${"a".repeat(26)}\r\n`);
  assertEquals(frameChunk(new Uint8Array(27), scratch), -1);
  const one = frameChunk(new Uint8Array([0x62]), scratch);
  assertEquals(String.fromCharCode(...scratch.subarray(0, one)), "1\r\nb\r\n");
  const big = new Uint8Array(70000);
  const m = frameChunk(new Uint8Array(65536), big);
  assertEquals(String.fromCharCode(...big.subarray(0, 7)), "10000\r\n");
  assertEquals(m, 65536 + 9);
});
