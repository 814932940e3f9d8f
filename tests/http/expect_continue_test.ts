import { assert, assertEquals, assertRejects } from "@std/assert";
import { connect } from "../../lib/http/connect.ts";
import { ResponseTimeout } from "../../lib/http/errors.ts";
import { expectContinue } from "../../lib/http/request.ts";
import { httpServer, rawServer } from "./_servers.ts";

const timeouts = { connTimeout: 2, nodeTimeout: 5 };
const decoder = new TextDecoder();
const putHead = (headers: Record<string, string>) => ({
  method: "PUT",
  path: "/sda1/7/AUTH_test/c/o",
  headers: { "X-Timestamp": "1700000000.00000", Expect: "100-continue", ...headers },
});

Deno.test("waitForContinue() returns continue with the 100's headers, then the body goes and 201 comes back", async () => {
  let received = "";
  let bufferedBeforeContinue = -1;
  const server = rawServer(async (peer) => {
    await peer.readHead();
    bufferedBeforeContinue = peer.buffered;
    await peer.write("HTTP/1.1 100 Continue\r\nX-Obj-Metadata-Footer: yes\r\n\r\n");
    received = decoder.decode(await peer.readChunked());
    await peer.write("HTTP/1.1 201 Created\r\nEtag: abc\r\nContent-Length: 0\r\n\r\n");
  });
  const conn = await connect(server.endpoint, timeouts);
  try {
    await conn.sendHead(putHead({ "Transfer-Encoding": "chunked" }));
    const answer = await conn.waitForContinue();
    assert(answer.kind === "continue");
    assertEquals(answer.headers.get("x-obj-metadata-footer"), "yes");
    const encoder = new TextEncoder();
    assertEquals(await conn.writeBody([encoder.encode("hello "), encoder.encode("world")]), 11);
    const response = await conn.readResponse();
    assertEquals([response.status, response.headers.get("etag")], [201, "abc"]);
  } finally {
    conn.close();
    await server.close();
  }
  assertEquals(bufferedBeforeContinue, 0);
  assertEquals(received, "hello world");
});

Deno.test("waitForContinue() returns a 507 final answer, no body byte is sent, and writing is refused", async () => {
  let bodyBytes = -1;
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 507 Insufficient Storage\r\nContent-Length: 3\r\n\r\nno!");
    bodyBytes = await peer.drain();
  });
  const conn = await connect(server.endpoint, timeouts);
  try {
    await conn.sendHead(putHead({ "Content-Length": "5" }));
    const answer = await conn.waitForContinue();
    assert(answer.kind === "response");
    assertEquals(answer.response.status, 507);
    await assertRejects(
      () => conn.write(new Uint8Array(5)),
      Error,
      'Cannot send the body of PUT /sda1/7/AUTH_test/c/o to "127.0.0.1:',
    );
    assertEquals(await answer.response.text(), "no!");
    assert(conn.closed, "a connection whose request body was never sent cannot be reused");
    assertEquals(await conn.readResponse(), answer.response);
  } finally {
    conn.close();
    await server.close();
  }
  assertEquals(bodyBytes, 0);
});

Deno.test("waitForContinue() times out when the server answers nothing", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.drain();
  });
  const conn = await connect(server.endpoint, { connTimeout: 2, nodeTimeout: 0.1 });
  try {
    await conn.sendHead(putHead({ "Content-Length": "5" }));
    const err = await assertRejects(() => conn.waitForContinue(), ResponseTimeout);
    assertEquals([err.seconds, err.swiftLogDetail], [0.1, "ResponseTimeout (0.1s)"]);
    assert(conn.closed);
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("waitForContinue() can read a second 100 after the body (Swift's multiphase commit)", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
    await peer.readBytes(3);
    await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
    await peer.write("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  });
  const conn = await connect(server.endpoint, timeouts);
  try {
    await conn.sendHead(putHead({ "Content-Length": "3" }));
    assertEquals((await conn.waitForContinue()).kind, "continue");
    await conn.writeBody([new Uint8Array([1, 2, 3])]);
    assertEquals((await conn.waitForContinue()).kind, "continue");
    assertEquals((await conn.readResponse()).status, 201);
    assert(!conn.closed && !conn.busy);
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("Content-Length bodies refuse bytes past the declared length and an early end", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.drain();
  });
  try {
    const over = await connect(server.endpoint, timeouts);
    await over.sendHead(putHead({ "Content-Length": "4" }));
    await over.write(new Uint8Array(3));
    await assertRejects(() => over.write(new Uint8Array(2)), RangeError, "leaves 1");
    assert(over.closed);
    const short = await connect(server.endpoint, timeouts);
    await short.sendHead(putHead({ "Content-Length": "4" }));
    await short.write(new Uint8Array(3));
    await assertRejects(() => short.end(), RangeError, "3 of 4 bytes sent");
    assert(short.closed);
  } finally {
    await server.close();
  }
});

Deno.test("expectContinue() streams a chunked PUT to Deno.serve, which sends 100 Continue itself", async () => {
  let stored = "";
  const server = httpServer(async (req) => {
    assertEquals(req.headers.get("expect"), "100-continue");
    stored = await req.text();
    return new Response(null, { status: 201, headers: { Etag: "e1" } });
  });
  try {
    const answer = await expectContinue(server.endpoint, {
      method: "PUT",
      path: "/sda1/7/a/c/o",
      headers: { "Transfer-Encoding": "chunked" },
      ...timeouts,
    });
    assert(answer.kind === "continue");
    const encoder = new TextEncoder();
    await answer.connection.writeBody(
      ReadableStream.from(["a", "b", "c"].map((s) => encoder.encode(s.repeat(1000)))),
    );
    const response = await answer.connection.readResponse();
    assertEquals([response.status, response.headers.get("etag")], [201, "e1"]);
    answer.connection.close();
  } finally {
    await server.close();
  }
  assertEquals(stored, "a".repeat(1000) + "b".repeat(1000) + "c".repeat(1000));
});
