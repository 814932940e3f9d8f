import { assertEquals, assertThrows } from "@std/assert";
import { createHash } from "node:crypto";
import { createMd5, createNodeMd5 } from "../../lib/object/md5.ts";

function bytes(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
}

function reference(...chunks: Uint8Array[]): string {
  const hash = createHash("md5");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

Deno.test("createMd5() gives node:crypto's digest for empty, small and multi-MiB data", () => {
  for (const size of [0, 1, 55, 56, 64, 4096, 3 * 1024 * 1024 + 17]) {
    const data = bytes(size);
    for (const md5 of [createMd5(), createNodeMd5()]) {
      md5.update(data);
      assertEquals(md5.digestHex(), reference(data), `size ${size}`);
    }
  }
  assertEquals(createMd5().digestHex(), "d41d8cd98f00b204e9800998ecf8427e");
});

Deno.test("createMd5() hashes views at an offset (subarray) by their own bytes", () => {
  const whole = bytes(10_000);
  const view = whole.subarray(1234, 8765);
  const md5 = createMd5();
  md5.update(view.subarray(0, 100));
  md5.update(view.subarray(100));
  assertEquals(md5.digestHex(), reference(view));
});

Deno.test("copy() digests the data so far and leaves the original hashing on", () => {
  for (const md5 of [createMd5(), createNodeMd5()]) {
    const [a, b] = [bytes(5000), bytes(300).reverse()];
    md5.update(a);
    const early = md5.copy();
    md5.update(b);
    assertEquals(early.digestHex(), reference(a));
    assertEquals(md5.digestHex(), reference(a, b));
  }
});

Deno.test("createMd5() refuses updates after the digest instead of hashing garbage", () => {
  const md5 = createMd5();
  md5.update(bytes(10));
  md5.digestHex();
  assertThrows(() => md5.update(bytes(10)));
});
