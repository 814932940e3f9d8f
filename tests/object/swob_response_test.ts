import { assertEquals, assertRejects } from "@std/assert";
import type { DiskFileReader } from "../../lib/object/backend.ts";
import { SwobRequest } from "../../lib/object/swob_request.ts";
import {
  swobResponse,
  type SwobResponseInit,
  swobResponseInline,
} from "../../lib/object/swob_response.ts";

const DATA = new TextEncoder().encode("0123456789abcdefghij");

/** A reader over DATA in chunks of 7 bytes; `short` stops it early, `fail` throws on read. */
function reader(options: { short?: number; fail?: Error } = {}) {
  const state = { closed: false };
  const end = options.short ?? DATA.length;
  const out: DiskFileReader = {
    size: DATA.length,
    async *range(start, stop) {
      if (options.fail) throw options.fail;
      for (let at = start; at < Math.min(stop, end); at += 7) {
        yield DATA.slice(at, Math.min(at + 7, stop, end));
      }
    },
    close: () => {
      state.closed = true;
      return Promise.resolve();
    },
  };
  return { reader: out, state };
}

function request(method: string, headers: Record<string, string> = {}): SwobRequest {
  return new SwobRequest(new Request("http://127.0.0.1/sda1/0/a/c/o", { method, headers }));
}

function init(data: DiskFileReader): SwobResponseInit {
  return {
    status: 200,
    headers: { "Content-Type": "text/plain", ETag: '"abc"', "Last-Modified": "x" },
    reader: data,
    conditional: true,
  };
}

/** Status, headers and body, with multipart boundaries (random per answer) made equal. */
async function answer(res: Response) {
  const headers = Object.fromEntries(
    [...res.headers].map(([name, value]) => [name, value.replace(/boundary=\w+/, "boundary=B")]),
  );
  const body = new TextDecoder().decode(await res.arrayBuffer()).replace(/--\w{32}/g, "--B");
  return { status: res.status, headers, body };
}

Deno.test("objects sent in one piece answer exactly as streamed ones, for ranges and conditions", async () => {
  const cases: [string, Record<string, string>][] = [
    ["GET", {}],
    ["HEAD", {}],
    ["GET", { Range: "bytes=3-9" }],
    ["GET", { Range: "bytes=-4" }],
    ["GET", { Range: "bytes=0-1,5-8" }],
    ["GET", { Range: "bytes=50-60" }],
    ["GET", { "If-None-Match": '"abc"' }],
    ["GET", { "If-Match": '"nope"' }],
  ];
  for (const [method, headers] of cases) {
    const streamed = await answer(swobResponse(request(method, headers), init(reader().reader)));
    const inline = await answer(
      await swobResponseInline(request(method, headers), init(reader().reader)),
    );
    assertEquals(inline, streamed, `${method} ${JSON.stringify(headers)}`);
  }
});

Deno.test("a small object is read and its reader closed before the answer is built", async () => {
  const { reader: data, state } = reader();
  const res = await swobResponseInline(request("GET"), init(data));
  assertEquals(state.closed, true);
  assertEquals(new Uint8Array(await res.arrayBuffer()), DATA);
});

Deno.test("a small object that fails to read is the handler's error, with its reader closed", async () => {
  const { reader: data, state } = reader({ fail: new Error("EIO") });
  await assertRejects(() => swobResponseInline(request("GET"), init(data)), Error, "EIO");
  assertEquals(state.closed, true);
});

Deno.test("a small object whose data ends early breaks the body instead of answering short", async () => {
  const { reader: data } = reader({ short: 12 });
  const res = await swobResponseInline(request("GET"), init(data));
  assertEquals(res.headers.get("Content-Length"), "20");
  await assertRejects(() => res.arrayBuffer());
});

Deno.test("objects larger than the inline limit are streamed", async () => {
  const { reader: data, state } = reader();
  const res = await swobResponseInline(request("GET"), init(data), 10);
  assertEquals(state.closed, false);
  assertEquals(new Uint8Array(await res.arrayBuffer()), DATA);
  assertEquals(state.closed, true);
});
