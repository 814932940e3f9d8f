import { assertEquals, assertRejects } from "@std/assert";
import { withBodyTimeout } from "../../lib/server/body_timeout.ts";
import { HttpError } from "../../lib/server/http_error.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request whose body yields `chunks`, waiting `gapsMs[i]` before each. */
function slowRequest(chunks: string[], gapsMs: number[]): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === chunks.length) return controller.close();
      await sleep(gapsMs[i]);
      controller.enqueue(new TextEncoder().encode(chunks[i++]));
    },
  });
  return new Request("http://x/", { method: "PUT", body });
}

Deno.test("withBodyTimeout() passes a body that keeps arriving, however long it takes", async () => {
  // Five reads of 40 ms: 200 ms in all, over the 100 ms timeout, but no read waits that long.
  const req = withBodyTimeout(slowRequest(["a", "b", "c", "d", "e"], [40, 40, 40, 40, 40]), 100);
  assertEquals(await req.text(), "abcde");
});

Deno.test("withBodyTimeout() fails a read that waits longer than the timeout with 408", async () => {
  const req = withBodyTimeout(slowRequest(["a", "b"], [0, 300]), 100);
  const started = Date.now();
  const err = await assertRejects(() => req.text(), HttpError);
  assertEquals(err.status, 408);
  const elapsed = Date.now() - started;
  assertEquals(elapsed >= 90 && elapsed < 280, true, `408 after ${elapsed} ms`);
  await sleep(250); // the source's pending read ends before the sanitizers look
});

Deno.test("withBodyTimeout() leaves a request without body, or without timeout, as is", () => {
  const get = new Request("http://x/");
  assertEquals(withBodyTimeout(get, 100), get);
  const put = new Request("http://x/", { method: "PUT", body: "x" });
  assertEquals(withBodyTimeout(put, 0), put);
});
