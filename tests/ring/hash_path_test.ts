import { assertEquals, assertThrows } from "@std/assert";
import { hashPath, hashPathRaw } from "../../lib/ring/hash_path.ts";
import { askSwift, hex, randomNames } from "./_swift.ts";

const SALT = { prefix: "startcap", suffix: "endcap" };

Deno.test("hashPath() matches Swift's hash_path for thousands of unicode names", async () => {
  const names = randomNames(1, 3000);
  const prefixBytes = new Uint8Array([0xff, 0x00, 0x80, 0x41]);
  const [salted, rawPrefix] = await askSwift([
    { op: "hash", prefix: hex(SALT.prefix), suffix: hex(SALT.suffix), names },
    { op: "hash", prefix: hex(prefixBytes), suffix: "", names: names.slice(0, 200) },
  ]) as [string, string][][];
  names.forEach(([a, c, o], i) => {
    const raw = hashPathRaw(a, c ?? undefined, o ?? undefined, SALT);
    assertEquals([hashPath(a, c ?? undefined, o ?? undefined, SALT), hex(raw)], salted[i]);
  });
  // Swift reads swift.conf as latin-1, so a prefix can be bytes that are not UTF-8.
  names.slice(0, 200).forEach(([a, c, o], i) => {
    const opts = { prefix: prefixBytes, suffix: "" };
    assertEquals(hashPath(a, c ?? undefined, o ?? undefined, opts), rawPrefix[i][0]);
  });
});

Deno.test("hashPath() hashes byte names the same as their UTF-8 text", () => {
  const text = "caf\u00e9 \u{1f600}";
  assertEquals(
    hashPath("AUTH_x", new TextEncoder().encode(text), undefined, SALT),
    hashPath("AUTH_x", text, undefined, SALT),
  );
});

Deno.test("hashPath() skips an empty container or object as Swift does", () => {
  assertEquals(hashPath("a", "", "", SALT), hashPath("a", undefined, undefined, SALT));
  assertEquals(hashPath("a", "c", "", SALT), hashPath("a", "c", undefined, SALT));
});

Deno.test("hashPath() rejects an object without a container, naming the object", () => {
  assertThrows(
    () => hashPath("a", "", "obj", SALT),
    TypeError,
    'container is required if object is provided: current container is "", object is "obj"',
  );
});

Deno.test("hashPath() rejects a name with a lone surrogate instead of hashing U+FFFD", () => {
  assertThrows(() => hashPath("a", "bad\ud800", undefined, SALT), TypeError, "lone UTF-16");
});
