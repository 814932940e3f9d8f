import { assertEquals } from "@std/assert";
import { checkRequestLimits } from "../../lib/server/limits.ts";

Deno.test("checkRequestLimits() passes requests within Swift's limits", () => {
  const headers = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`x-h${i}`, "v"]));
  assertEquals(
    checkRequestLimits(new Request("http://h/" + "a".repeat(8000), { headers })),
    undefined,
  );
});

Deno.test("checkRequestLimits() answers 414 for a request line over 8192 bytes", () => {
  assertEquals(checkRequestLimits(new Request("http://h/" + "a".repeat(8190)))?.status, 414);
});

Deno.test("checkRequestLimits() answers 400 for a long header line or too many headers", () => {
  const long = new Request("http://h/", { headers: { "x-big": "b".repeat(8190) } });
  assertEquals(checkRequestLimits(long)?.status, 400);
  const headers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`x-h${i}`, "v"]));
  assertEquals(checkRequestLimits(new Request("http://h/", { headers }))?.status, 400);
});
