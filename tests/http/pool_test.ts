import { assert, assertEquals, assertRejects } from "@std/assert";
import { RemoteDisconnected } from "../../lib/http/errors.ts";
import { ConnectionPool } from "../../lib/http/pool.ts";
import { expectContinue, request } from "../../lib/http/request.ts";
import { eventually, httpServer, type RawPeer, rawServer } from "./_servers.ts";

const timeouts = { connTimeout: 2, nodeTimeout: 5 };
const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

Deno.test("ConnectionPool reuses one keep-alive connection for sequential requests", async () => {
  const server = httpServer((req) => new Response(`${req.method} ${new URL(req.url).pathname}`));
  const pool = new ConnectionPool();
  try {
    for (const path of ["/a", "/b", "/c"]) {
      const response = await request(server.endpoint, { method: "GET", path, pool, ...timeouts });
      assertEquals(await response.text(), `GET ${path}`);
    }
    const head = await request(server.endpoint, { method: "HEAD", path: "/d", pool, ...timeouts });
    assertEquals(head.status, 200);
    assertEquals(server.accepted(), 1);
    assertEquals(pool.idleCount(server.endpoint), 1);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("ConnectionPool does not reuse a connection whose response body was cancelled", async () => {
  const server = httpServer(() => new Response("x".repeat(200000)));
  const pool = new ConnectionPool();
  try {
    const first = await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts });
    const reader = first.body.getReader();
    await reader.read();
    await reader.cancel();
    assertEquals(pool.idleCount(), 0);
    const second = await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts });
    assertEquals((await second.bytes()).length, 200000);
    assertEquals(server.accepted(), 2);
    assertEquals(pool.idleCount(), 1);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("ConnectionPool keeps at most maxIdlePerEndpoint idle connections", async () => {
  const server = httpServer(() => new Response("ok"));
  const pool = new ConnectionPool({ maxIdlePerEndpoint: 2 });
  try {
    const responses = await Promise.all(
      [1, 2, 3, 4].map(() =>
        request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts })
      ),
    );
    await Promise.all(responses.map((response) => response.discard()));
    assertEquals(server.accepted(), 4);
    assertEquals(pool.idleCount(server.endpoint), 2);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("ConnectionPool drops a parked connection the server closes while it is idle", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write(OK);
    peer.conn.close();
  });
  const pool = new ConnectionPool();
  try {
    const response = await request(server.endpoint, {
      method: "GET",
      path: "/",
      pool,
      ...timeouts,
    });
    assertEquals(await response.text(), "ok");
    await eventually(() => pool.idleCount() === 0, "the closed connection left the pool");
    const again = await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts });
    assertEquals(await again.text(), "ok");
    assertEquals(server.accepted(), 2);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("ConnectionPool closes connections idle longer than idleTimeout", async () => {
  const server = httpServer(() => new Response("ok"));
  const pool = new ConnectionPool({ idleTimeout: 0.05 });
  try {
    await (await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts })).text();
    assertEquals(pool.idleCount(), 1);
    await eventually(() => pool.idleCount() === 0, "the idle connection expired");
    await (await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts })).text();
    assertEquals(server.accepted(), 2);
  } finally {
    await pool.close();
    await server.close();
  }
});

/**
 * Answers the first request on every connection; on the second, reads the head (and any body
 * bytes already sent) and closes without a word: the idle-close race, made deterministic.
 */
function closesOnSecondRequest(log: string[]) {
  return rawServer(async (peer: RawPeer, index) => {
    for (let n = 0;; n++) {
      const head = await peer.readHead();
      if (head === null) return;
      log.push(`conn ${index}: ${head.split(" ", 2).join(" ")}`);
      if (n === 1) return;
      const length = Number(head.match(/content-length: (\d+)/i)?.[1] ?? 0);
      if (length > 0) await peer.readBytes(length);
      if (/expect: 100-continue/i.test(head)) {
        await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
        await peer.readChunked();
      }
      await peer.write(OK);
    }
  });
}

Deno.test("request() resends a GET once on a new connection when a reused one dies before any response byte", async () => {
  const log: string[] = [];
  const server = closesOnSecondRequest(log);
  const pool = new ConnectionPool();
  try {
    await (await request(server.endpoint, { method: "GET", path: "/1", pool, ...timeouts })).text();
    const response = await request(server.endpoint, {
      method: "GET",
      path: "/2",
      pool,
      ...timeouts,
    });
    assertEquals(await response.text(), "ok");
    assertEquals(log, ["conn 0: GET /1", "conn 0: GET /2", "conn 1: GET /2"]);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("request() does not resend a POST, nor a PUT whose body went out, on a dead reused connection", async () => {
  const log: string[] = [];
  const server = closesOnSecondRequest(log);
  const pool = new ConnectionPool();
  try {
    for (const [method, body] of [["POST", undefined], ["PUT", new Uint8Array(10)]] as const) {
      await (await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts }))
        .text();
      await assertRejects(
        () => request(server.endpoint, { method, path: "/x", body, pool, ...timeouts }),
        RemoteDisconnected,
      );
    }
    assertEquals(log, [
      "conn 0: GET /",
      "conn 0: POST /x",
      "conn 1: GET /",
      "conn 1: PUT /x",
    ]);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("expectContinue() resends the head of a PUT on a new connection when the reused one died before the body", async () => {
  const log: string[] = [];
  const server = closesOnSecondRequest(log);
  const pool = new ConnectionPool();
  try {
    await (await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts })).text();
    const answer = await expectContinue(server.endpoint, {
      method: "PUT",
      path: "/o",
      headers: { "Transfer-Encoding": "chunked" },
      pool,
      ...timeouts,
    });
    assert(answer.kind === "continue");
    assert(!answer.connection.reused);
    await answer.connection.writeBody([new Uint8Array(3)]);
    assertEquals(await (await answer.connection.readResponse()).text(), "ok");
    assertEquals(log, ["conn 0: GET /", "conn 0: PUT /o", "conn 1: PUT /o"]);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("request() does not resend when a fresh connection dies before answering", async () => {
  const server = rawServer(async (peer) => {
    await peer.readHead();
  });
  const pool = new ConnectionPool();
  try {
    await assertRejects(
      () => request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts }),
      RemoteDisconnected,
    );
    assertEquals(server.accepted(), 1);
  } finally {
    await pool.close();
    await server.close();
  }
});

Deno.test("ConnectionPool.close() closes idle connections and refuses new acquisitions", async () => {
  let eofSeen = false;
  const server = rawServer(async (peer) => {
    await peer.readHead();
    await peer.write(OK);
    eofSeen = (await peer.readHead()) === null;
  });
  const pool = new ConnectionPool();
  await (await request(server.endpoint, { method: "GET", path: "/", pool, ...timeouts })).text();
  await pool.close();
  await server.close();
  assert(eofSeen);
  await assertRejects(
    () => pool.acquire(server.endpoint, timeouts),
    Error,
    "the pool is closed",
  );
});

Deno.test("ConnectionPool does not keep a connection whose request or response said Connection: close", async () => {
  const server = rawServer(async (peer) => {
    const head = await peer.readHead();
    const close = /connection: close/i.test(head!) ? "" : "Connection: close\r\n";
    await peer.write(`HTTP/1.1 200 OK\r\n${close}Content-Length: 2\r\n\r\nok`);
    await peer.drain();
  });
  const pool = new ConnectionPool();
  try {
    for (const headers of [{ Connection: "close" }, {}] as Record<string, string>[]) {
      const response = await request(server.endpoint, {
        method: "GET",
        path: "/",
        headers,
        pool,
        ...timeouts,
      });
      assertEquals(await response.text(), "ok");
      assertEquals(pool.idleCount(), 0);
    }
    assertEquals(server.accepted(), 2);
  } finally {
    await pool.close();
    await server.close();
  }
});
