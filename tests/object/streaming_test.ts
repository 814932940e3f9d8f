/**
 * A 16 MiB object goes through the server chunk by chunk: the backend receives the upload
 * while the client is still sending it, and the client receives the download while the
 * backend is still reading it, so no layer holds the whole object.
 */
import { assertEquals } from "@std/assert";
import { createHash } from "node:crypto";
import { testServer } from "./_server.ts";
import { RecordingBackend } from "./_scripted_backend.ts";

const CHUNK = 64 * 1024;
const CHUNKS = 256; // 16 MiB
const PATH = "/sda1/0/a/c/big";

function chunkOf(i: number): Uint8Array<ArrayBuffer> {
  const chunk = new Uint8Array(CHUNK);
  chunk.fill(i % 251);
  chunk[0] = i & 0xff;
  return chunk;
}

Deno.test("a 16 MiB PUT reaches the backend chunk by chunk while the client still sends", async () => {
  const backend = new RecordingBackend();
  const server = testServer({ backend });
  const md5 = createHash("md5");
  let sent = 0;
  let mostAhead = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // How many chunks the client has sent that the backend has not yet been given.
      mostAhead = Math.max(mostAhead, sent - backend.seen.written.length);
      if (sent === CHUNKS) return controller.close();
      const chunk = chunkOf(sent++);
      md5.update(chunk);
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const res = await server.send("PUT", PATH, {
    headers: {
      "X-Timestamp": "1700000000.00000",
      "Content-Type": "application/octet-stream",
      "Content-Length": String(CHUNK * CHUNKS),
    },
    body,
  });
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("ETag"), `"${md5.digest("hex")}"`);
  assertEquals(backend.seen.written.length, CHUNKS);
  assertEquals(mostAhead <= 2, true, `the server let ${mostAhead} chunks pile up`);
});

Deno.test("a 16 MiB GET answers before the backend has read the object", async () => {
  const backend = new RecordingBackend();
  const server = testServer({ backend });
  const upload = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < CHUNKS; i++) controller.enqueue(chunkOf(i));
      controller.close();
    },
  });
  const put = await server.send("PUT", PATH, {
    headers: {
      "X-Timestamp": "1700000000.00000",
      "Content-Type": "application/octet-stream",
      "Content-Length": String(CHUNK * CHUNKS),
    },
    body: upload,
  });
  const etag = put.headers.get("ETag");

  const res = await server.send("GET", PATH);
  assertEquals(res.headers.get("Content-Length"), String(CHUNK * CHUNKS));
  assertEquals(backend.seen.read.length, 0, "the response waited for the object to be read");
  const reader = res.body!.getReader();
  const md5 = createHash("md5");
  let received = 0;
  let mostAhead = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    md5.update(value);
    received += value.length;
    const readBytes = backend.seen.read.reduce((a, b) => a + b, 0);
    mostAhead = Math.max(mostAhead, readBytes - received);
  }
  assertEquals(received, CHUNK * CHUNKS);
  assertEquals(`"${md5.digest("hex")}"`, etag);
  assertEquals(mostAhead <= 2 * CHUNK, true, `the server read ${mostAhead} bytes ahead`);
});
