/**
 * Bodies larger than 16 MiB go through in both directions without being buffered whole:
 * each producer stops after 2 MiB until the consumer on the other side has seen 1 MiB,
 * which can only happen if bytes flow while the producer is still producing.
 */
import { assertEquals } from "@std/assert";
import { connect } from "../../lib/http/connect.ts";
import { expectContinue, request } from "../../lib/http/request.ts";
import { httpServer } from "./_servers.ts";

const MiB = 1024 * 1024;
const TOTAL = 17 * MiB;
const CHUNK = 64 * 1024;
const timeouts = { connTimeout: 2, nodeTimeout: 10 };

/** Waits for `promise`, failing instead of hanging if the other side never gets data. */
async function meanwhile(promise: Promise<void>, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No data flowed: ${what}`)), 20_000);
  });
  try {
    await Promise.race([promise, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/** 17 MiB in 64 KiB chunks of a position-dependent pattern; pauses at 2 MiB on `gate`. */
async function* produce(gate: Promise<void>, what: string): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < TOTAL; offset += CHUNK) {
    if (offset === 2 * MiB) await meanwhile(gate, what);
    const chunk = new Uint8Array(CHUNK);
    for (let i = 0; i < CHUNK; i += 4096) chunk[i] = ((offset + i) / 4096) & 0xff;
    yield chunk;
  }
}

/** Counts bytes and checks the pattern; resolves `seen` after the first MiB. */
function checker(seen: () => void) {
  let total = 0;
  let badAt = -1;
  return {
    take(chunk: Uint8Array) {
      for (let i = 0; i < chunk.length; i++) {
        const at = total + i;
        const expected = at % 4096 === 0 ? (at / 4096) & 0xff : 0;
        if (chunk[i] !== expected && badAt === -1) badAt = at;
      }
      total += chunk.length;
      if (total >= MiB) seen();
    },
    result: () => ({ total, badAt }),
  };
}

function uploadServer() {
  const seen = Promise.withResolvers<void>();
  const check = checker(seen.resolve);
  const server = httpServer(async (req) => {
    for await (const chunk of req.body!) check.take(chunk);
    return new Response(null, { status: 201 });
  });
  return { server, seen: seen.promise, check };
}

Deno.test("A 17 MiB chunked upload streams: the server sees data before the client finished producing", async () => {
  const { server, seen, check } = uploadServer();
  try {
    const answer = await expectContinue(server.endpoint, {
      method: "PUT",
      path: "/sda1/1/a/c/big",
      headers: { "Transfer-Encoding": "chunked" },
      ...timeouts,
    });
    if (answer.kind !== "continue") throw new Error(`Got ${answer.response.status}`);
    const sent = await answer.connection.writeBody(produce(seen, "server saw no upload"));
    assertEquals(sent, TOTAL);
    assertEquals((await answer.connection.readResponse()).status, 201);
    answer.connection.close();
  } finally {
    await server.close();
  }
  assertEquals(check.result(), { total: TOTAL, badAt: -1 });
});

Deno.test("A 17 MiB Content-Length upload streams: the server sees data before the client finished producing", async () => {
  const { server, seen, check } = uploadServer();
  const conn = await connect(server.endpoint, timeouts);
  try {
    await conn.sendHead({
      method: "PUT",
      path: "/sda1/1/a/c/big",
      headers: { "Content-Length": String(TOTAL) },
    });
    await conn.writeBody(produce(seen, "server saw no upload"));
    assertEquals((await conn.readResponse()).status, 201);
  } finally {
    conn.close();
    await server.close();
  }
  assertEquals(check.result(), { total: TOTAL, badAt: -1 });
});

Deno.test("A 17 MiB download streams: the client reads data before the server finished producing", async () => {
  const seen = Promise.withResolvers<void>();
  const check = checker(seen.resolve);
  const server = httpServer(() => {
    const body = ReadableStream.from(produce(seen.promise, "client saw no download"));
    return new Response(body, { headers: { "Content-Length": String(TOTAL) } });
  });
  try {
    const response = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
    assertEquals(response.contentLength, TOTAL);
    for await (const chunk of response.body) check.take(chunk);
  } finally {
    await server.close();
  }
  assertEquals(check.result(), { total: TOTAL, badAt: -1 });
});

Deno.test("A 17 MiB chunked download streams through the chunked decoder intact", async () => {
  const seen = Promise.withResolvers<void>();
  const check = checker(seen.resolve);
  // No Content-Length: Deno.serve sends the stream chunked.
  const server = httpServer(() =>
    new Response(ReadableStream.from(produce(seen.promise, "client saw no download")))
  );
  try {
    const response = await request(server.endpoint, { method: "GET", path: "/", ...timeouts });
    assertEquals(response.headers.get("transfer-encoding"), "chunked");
    for await (const chunk of response.body) check.take(chunk);
  } finally {
    await server.close();
  }
  assertEquals(check.result(), { total: TOTAL, badAt: -1 });
});
