/**
 * lib/http micro benchmarks: small-object requests over pooled keep-alive connections against
 * a raw loopback server that answers from memory (so the client's cost dominates), compared
 * with fetch() doing the same. Run: deno bench --allow-all --unstable-net tests/http/
 */
import { ConnectionPool } from "../../lib/http/pool.ts";
import { expectContinue, request } from "../../lib/http/request.ts";
import { encodeRequestHead, HeadBuffer } from "../../lib/http/request_head.ts";

const encoder = new TextEncoder();
const GET_REPLY = encoder.encode(
  "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nEtag: d41d8cd98f00b204e9800998ecf8427e\r\n" +
    "X-Timestamp: 1700000000.00000\r\nX-Backend-Timestamp: 1700000000.00000\r\n" +
    "Content-Length: 4096\r\n\r\n" + "x".repeat(4096),
);
const PUT_CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");
const PUT_REPLY = encoder.encode("HTTP/1.1 201 Created\r\nEtag: e\r\nContent-Length: 0\r\n\r\n");

/** Answers every GET/HEAD with GET_REPLY and every PUT (Expect, chunked) with 100 then 201. */
function startServer(): { port: number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      serve(conn).catch(() => conn.close());
    }
  })();
  return { port: (listener.addr as Deno.NetAddr).port };
}

async function serve(conn: Deno.TcpConn): Promise<void> {
  const buf = new Uint8Array(65536);
  let have = 0;
  for (;;) {
    const n = await conn.read(buf.subarray(have));
    if (n === null) return conn.close();
    have += n;
    for (;;) {
      const text = new TextDecoder().decode(buf.subarray(0, have));
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) break;
      if (text.startsWith("PUT")) {
        const last = text.indexOf("0\r\n\r\n", end + 4);
        if (last === -1) {
          if (!text.includes("100-sent")) await conn.write(PUT_CONTINUE);
          // Marks the head as answered so the next read does not send 100 again.
          buf.set(encoder.encode("100-sent"), 3);
          break;
        }
        await conn.write(PUT_REPLY);
        buf.copyWithin(0, last + 5, have);
        have -= last + 5;
      } else {
        await conn.write(GET_REPLY);
        buf.copyWithin(0, end + 4, have);
        have -= end + 4;
      }
    }
  }
}

const server = startServer();
const endpoint = { host: "127.0.0.1", port: server.port };
const pool = new ConnectionPool();
const timeouts = { connTimeout: 0.5, nodeTimeout: 10 };
const headers = {
  "X-Timestamp": "1700000000.00000",
  "X-Trans-Id": "tx0123456789abcdef0123456789abcdef",
  "X-Backend-Storage-Policy-Index": "0",
  "User-Agent": "proxy-server 1234",
  Referer: "GET http://127.0.0.1:8080/v1/AUTH_test/c/o",
};

Deno.bench("encodeRequestHead: GET with 5 headers", { group: "head" }, () => {
  encodeRequestHead(endpoint, { method: "GET", path: "/sda1/123/AUTH_test/c/o", headers }, buffer);
});
const buffer = new HeadBuffer();

Deno.bench("lib/http request(): GET 4 KiB, pooled", { group: "get", baseline: true }, async () => {
  const response = await request(endpoint, {
    method: "GET",
    path: "/sda1/123/AUTH_test/c/o",
    headers,
    pool,
    ...timeouts,
  });
  await response.bytes();
});

Deno.bench("fetch(): GET 4 KiB, keep-alive", { group: "get" }, async () => {
  const response = await fetch(`http://127.0.0.1:${server.port}/sda1/123/AUTH_test/c/o`, {
    headers,
  });
  await response.arrayBuffer();
});

const body = new Uint8Array(4096);
Deno.bench("lib/http expectContinue(): PUT 4 KiB chunked, pooled", { group: "put" }, async () => {
  const answer = await expectContinue(endpoint, {
    method: "PUT",
    path: "/sda1/123/AUTH_test/c/o",
    headers: { ...headers, "Transfer-Encoding": "chunked" },
    pool,
    ...timeouts,
  });
  if (answer.kind !== "continue") throw new Error(`Unexpected ${answer.response.status}`);
  await answer.connection.writeBody([body]);
  await (await answer.connection.readResponse()).discard();
});
