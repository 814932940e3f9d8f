import { assert, assertEquals, assertRejects } from "@std/assert";
import { connect } from "../../lib/http/connect.ts";
import type { HttpConnection } from "../../lib/http/connection.ts";
import { BadResponse, IncompleteRead, RemoteDisconnected } from "../../lib/http/errors.ts";
import { type RawPeer, rawServer } from "./_servers.ts";

const timeouts = { connTimeout: 2, nodeTimeout: 5 };

/** Runs `body` against a raw server that answers each request head with `replies` in order. */
async function withScript(
  script: (peer: RawPeer, index: number) => Promise<void>,
  body: (conn: HttpConnection) => Promise<void>,
): Promise<void> {
  const server = rawServer(script);
  const conn = await connect(server.endpoint, timeouts);
  try {
    await body(conn);
  } finally {
    conn.close();
    await server.close();
  }
}

Deno.test("HttpConnection sends the head bytes exactly as encoded and reads status, reason and headers", async () => {
  let head = "";
  await withScript(async (peer) => {
    head = (await peer.readHead())!;
    await peer.write(
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-Backend-Timestamp: 17\r\n" +
        "x-dup: a\r\nX-Dup: b\r\n\r\n",
    );
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/sda1/1/a/c/o", headers: { "X-Trans-Id": "tx1" } });
    const response = await conn.readResponse();
    assertEquals([response.status, response.reason, response.version], [404, "Not Found", 11]);
    assertEquals(response.headers.get("x-backend-timestamp"), "17");
    assertEquals(response.headers.get("X-DUP"), "a, b");
    assertEquals([...response.headers].map(([name]) => name), [
      "Content-Length",
      "X-Backend-Timestamp",
      "x-dup",
      "X-Dup",
    ]);
    assertEquals(await response.text(), "");
  });
  assertEquals(
    head,
    `GET /sda1/1/a/c/o HTTP/1.1\r\nHost: 127.0.0.1:${head.match(/:(\d+)\r/)![1]}\r\n` +
      "Accept-Encoding: identity\r\nX-Trans-Id: tx1\r\n\r\n",
  );
});

Deno.test("HttpConnection joins obs-fold continuation lines with one space and accepts bare LF line ends", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.0 200\nX-Long: first\n \t second \nContent-Length: 2\n\nok");
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    const response = await conn.readResponse();
    assertEquals([response.status, response.reason, response.version], [200, "", 10]);
    assertEquals(response.headers.get("x-long"), "first second");
    assertEquals(await response.text(), "ok");
    // HTTP/1.0 without keep-alive: the connection closes after the body.
    assert(conn.closed);
  });
});

Deno.test("HttpConnection reads no body for HEAD, 204 and 304 and keeps the connection for the next request", async () => {
  const replies = [
    "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
    "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast",
  ];
  await withScript(async (peer) => {
    for (const reply of replies) {
      await peer.readHead();
      await peer.write(reply);
    }
  }, async (conn) => {
    for (const method of ["HEAD", "DELETE", "GET"]) {
      await conn.sendHead({ method, path: "/" });
      const response = await conn.readResponse();
      assertEquals(response.contentLength, 0);
      assertEquals((await response.bytes()).length, 0);
      assert(!conn.busy && !conn.closed, `${method} left the connection usable`);
    }
    await conn.sendHead({ method: "GET", path: "/" });
    assertEquals(await (await conn.readResponse()).text(), "last");
  });
});

Deno.test("HttpConnection decodes a chunked response with extensions and trailers", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    await peer.write("5;name=val\r\nhello\r\n");
    await peer.write("1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    const response = await conn.readResponse();
    assertEquals(response.contentLength, null);
    assertEquals(await response.text(), "hello 0123456789");
    await conn.sendHead({ method: "GET", path: "/again" });
    assertEquals(await (await conn.readResponse()).text(), "ok");
  });
});

Deno.test("HttpConnection reads a body without Content-Length until the server closes", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\n\r\nuntil ");
    await peer.write("the end");
    peer.conn.close();
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    assertEquals(await (await conn.readResponse()).text(), "until the end");
    assert(conn.closed);
  });
});

Deno.test("HttpConnection skips several 100 Continue and other 1xx before the final response", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-A: 1\r\n\r\n" +
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
    );
  }, async (conn) => {
    await conn.sendHead({ method: "POST", path: "/" });
    assertEquals((await conn.readResponse()).status, 201);
  });
});

Deno.test("HttpConnection refuses a header line over the limit and too many headers", async () => {
  const server = rawServer(async (peer, index) => {
    await peer.readHead();
    if (index === 0) await peer.write(`HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(70000)}\r\n\r\n`);
    else await peer.write(`HTTP/1.1 200 OK\r\n${"X-H: 1\r\n".repeat(202)}\r\n`);
    await peer.drain();
  });
  try {
    for (const expected of ["header line longer than 65536 bytes", "more than 201 header fields"]) {
      const conn = await connect(server.endpoint, timeouts);
      await conn.sendHead({ method: "GET", path: "/" });
      await assertRejects(() => conn.readResponse(), BadResponse, expected);
      assert(conn.closed);
    }
    const limited = await connect(server.endpoint, { ...timeouts, limits: { maxHeaders: 300 } });
    await limited.sendHead({ method: "GET", path: "/" });
    assertEquals((await limited.readResponse()).headers.size, 202);
    limited.close();
  } finally {
    await server.close();
  }
});

Deno.test("HttpConnection refuses malformed status lines and header lines", async () => {
  const replies = [
    "ICY 200 OK\r\n\r\n",
    "HTTP/1.1 2000 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-Space : 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\n folded-first: 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
  ];
  const server = rawServer(async (peer, index) => {
    await peer.readHead();
    await peer.write(replies[index]);
    await peer.drain();
  });
  try {
    for (const reply of replies) {
      const conn = await connect(server.endpoint, timeouts);
      await conn.sendHead({ method: "GET", path: "/" });
      await assertRejects(() => conn.readResponse(), BadResponse, undefined, reply);
      assert(conn.closed);
    }
  } finally {
    await server.close();
  }
});

Deno.test("HttpConnection reports RemoteDisconnected when the server closes before answering", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    peer.conn.close();
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    const err = await assertRejects(() => conn.readResponse(), RemoteDisconnected);
    assertEquals(
      err.swiftLogDetail,
      "RemoteDisconnected: Remote end closed connection without response",
    );
  });
});

Deno.test("A response body cut short by the server fails its stream with IncompleteRead", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await peer.write("only ten b");
    peer.conn.close();
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    const response = await conn.readResponse();
    const err = await assertRejects(() => response.text(), IncompleteRead);
    assert(err.message.includes("body after 10 of 100 bytes"), err.message);
    assert(conn.closed);
  });
});

Deno.test("Cancelling a response body stream closes the connection", async () => {
  let drained = -1;
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
    await peer.write(new Uint8Array(1000));
    drained = await peer.drain();
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/" });
    const reader = (await conn.readResponse()).body.getReader();
    assertEquals((await reader.read()).value?.length, 1000);
    await reader.cancel();
    assert(conn.closed);
  });
  assertEquals(drained, 0);
});

Deno.test("HttpConnection refuses a second request while the first response is unread", async () => {
  await withScript(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    await peer.drain();
  }, async (conn) => {
    await conn.sendHead({ method: "GET", path: "/first" });
    const response = await conn.readResponse();
    await assertRejects(
      () => conn.sendHead({ method: "GET", path: "/second" }),
      Error,
      "GET /first to",
    );
    response.cancel();
  });
});
