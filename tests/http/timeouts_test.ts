import { assert, assertEquals, assertRejects } from "@std/assert";
import { connect } from "../../lib/http/connect.ts";
import {
  ChunkReadTimeout,
  ChunkWriteTimeout,
  ConnectionRefused,
  ConnectionTimeout,
  ResponseTimeout,
  swiftLogDetail,
} from "../../lib/http/errors.ts";
import { ConnectionPool } from "../../lib/http/pool.ts";
import { request } from "../../lib/http/request.ts";
import { closedPort, rawServer, unresponsiveListener } from "./_servers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("connect() gives up after conn_timeout with ConnectionTimeout naming the endpoint", async () => {
  const listener = await unresponsiveListener();
  try {
    const err = await assertRejects(
      () => connect(listener.endpoint, { connTimeout: 0.1, nodeTimeout: 1 }),
      ConnectionTimeout,
    );
    assertEquals(err.seconds, 0.1);
    assertEquals(err.endpoint, listener.endpoint);
    assertEquals(err.swiftLogDetail, "ConnectionTimeout (0.1s)");
    assertEquals(
      err.message,
      `Timed out after 0.1 s connecting to "127.0.0.1:${listener.endpoint.port}"`,
    );
  } finally {
    await listener.close();
  }
});

Deno.test("connect() to a port nobody listens on fails with ConnectionRefused", async () => {
  const endpoint = closedPort();
  const err = await assertRejects(
    () => connect(endpoint, { connTimeout: 1, nodeTimeout: 1 }),
    ConnectionRefused,
  );
  assertEquals(swiftLogDetail(err), "Connection refused");
  assertEquals(err.message, `Cannot connect to "127.0.0.1:${endpoint.port}": connection refused`);
});

Deno.test("readResponse() times out with ResponseTimeout when the headers come late", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\n");
    await peer.drain();
  });
  try {
    const err = await assertRejects(
      () =>
        request(server.endpoint, { method: "GET", path: "/", connTimeout: 1, nodeTimeout: 0.1 }),
      ResponseTimeout,
    );
    assertEquals(err.swiftLogDetail, "ResponseTimeout (0.1s)");
  } finally {
    await server.close();
  }
});

Deno.test("A body that stalls fails its stream with ChunkReadTimeout naming host:port and the timeout", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    await sleep(20);
    await peer.write("12345");
    await peer.drain();
  });
  try {
    const response = await request(server.endpoint, {
      method: "GET",
      path: "/",
      connTimeout: 1,
      nodeTimeout: 0.15,
    });
    const reader = response.body.getReader();
    assertEquals(new TextDecoder().decode((await reader.read()).value), "12345");
    const err = await assertRejects(() => reader.read(), ChunkReadTimeout);
    assertEquals(err.swiftLogDetail, "ChunkReadTimeout (0.15s)");
    assertEquals(
      err.message,
      `Timed out after 0.15 s reading the response body from "127.0.0.1:${server.endpoint.port}"`,
    );
  } finally {
    await server.close();
  }
});

Deno.test("A body whose every read arrives within node_timeout succeeds however long it takes overall", async () => {
  // Five reads 0.5 s apart: 2.5 s in all, over the 2 s node_timeout that each read gets.
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      await peer.write("1\r\nx\r\n");
    }
    await peer.write("0\r\n\r\n");
  });
  try {
    const response = await request(server.endpoint, {
      method: "GET",
      path: "/",
      connTimeout: 1,
      nodeTimeout: 2,
    });
    assertEquals(await response.text(), "xxxxx");
  } finally {
    await server.close();
  }
});

Deno.test("Writing to a server that stops reading fails with ChunkWriteTimeout", async () => {
  let readHead = false;
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = rawServer(async (peer) => {
    readHead = (await peer.readHead()) !== null;
    await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
    // Reads nothing more, holding the connection open, until the test is over.
    await released;
  });
  const conn = await connect(server.endpoint, { connTimeout: 1, nodeTimeout: 0.2 });
  try {
    await conn.sendHead({
      method: "PUT",
      path: "/o",
      headers: { "Transfer-Encoding": "chunked", Expect: "100-continue" },
    });
    assertEquals((await conn.waitForContinue()).kind, "continue");
    const chunk = new Uint8Array(1 << 20);
    const err = await assertRejects(async () => {
      // Socket buffers hold a few MiB at most; 256 MiB cannot fit.
      for (let i = 0; i < 256; i++) await conn.write(chunk);
    }, ChunkWriteTimeout);
    assertEquals(err.swiftLogDetail, "ChunkWriteTimeout (0.2s)");
    assert(conn.closed);
    assert(readHead);
  } finally {
    conn.close();
    release();
    await server.close();
  }
});

Deno.test("A reused connection applies a shorter node_timeout than its previous request had", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    await peer.readHead();
    await peer.drain();
  });
  const pool = new ConnectionPool();
  try {
    const first = await request(server.endpoint, {
      method: "GET",
      path: "/",
      connTimeout: 1,
      nodeTimeout: 600,
      pool,
    });
    assertEquals(await first.text(), "ok");
    const err = await assertRejects(
      () =>
        request(server.endpoint, {
          method: "GET",
          path: "/",
          connTimeout: 1,
          nodeTimeout: 0.1,
          pool,
        }),
      ResponseTimeout,
    );
    assertEquals(err.seconds, 0.1);
    assertEquals(server.accepted(), 1);
  } finally {
    await pool.close();
    await server.close();
  }
});
