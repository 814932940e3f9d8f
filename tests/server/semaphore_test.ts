import { assertEquals, assertRejects } from "@std/assert";
import { Semaphore, SemaphoreTimeout } from "../../lib/server/semaphore.ts";

Deno.test("Semaphore hands permits out in arrival order and never more than its size", async () => {
  const semaphore = new Semaphore(2);
  const order: number[] = [];
  let running = 0;
  let peak = 0;
  await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
    using _permit = await semaphore.acquire();
    order.push(i);
    peak = Math.max(peak, ++running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
  }));
  assertEquals(order, [0, 1, 2, 3, 4, 5]);
  assertEquals(peak, 2);
  assertEquals(semaphore.inUse, 0);
});

Deno.test("Semaphore.acquire() gives up after its timeout and the queue moves on", async () => {
  const semaphore = new Semaphore(1);
  const held = await semaphore.acquire();
  await assertRejects(() => semaphore.acquire(20), SemaphoreTimeout);
  const next = semaphore.acquire(1000);
  assertEquals(semaphore.waiting, 1);
  held.release();
  held.release(); // twice is harmless
  (await next).release();
  assertEquals(semaphore.inUse, 0);
});
