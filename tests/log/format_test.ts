import { assertEquals } from "@std/assert";
import { formatLine, Level, syslogPacket, truncate } from "../../lib/log/format.ts";

Deno.test("formatLine() keeps both ends of a long line around ' ... ' as Swift does", () => {
  const message = "a".repeat(20) + "MIDDLE" + "b".repeat(20);
  // (30 - 5) // 2 = 12 characters from each end.
  assertEquals(
    formatLine("srv", { level: Level.INFO, message }, 30),
    "srv: aaaaaaa ... bbbbbbbbbbbb",
  );
  assertEquals(truncate("abcdefghij", 5), "abcde");
  assertEquals(truncate("short", 30), "short");
});

Deno.test("truncate() counts characters, not UTF-16 units, as Python's len() does", () => {
  assertEquals(truncate("😀😀😀😀😀😀😀😀😀😀", 9), "😀😀 ... 😀😀");
});

Deno.test("formatLine() adds the client ip only above INFO and never twice", () => {
  const record = { level: Level.INFO, message: "GET /", clientIp: "1.2.3.4" };
  assertEquals(formatLine("p", record), "p: GET /");
  assertEquals(formatLine("p", { ...record, level: Level.ERROR }), "p: GET / (client_ip: 1.2.3.4)");
  assertEquals(
    formatLine("p", { ...record, level: Level.ERROR, message: "from 1.2.3.4" }),
    "p: from 1.2.3.4",
  );
});

Deno.test("syslogPacket() encodes UTF-8 after the priority and ends with NUL", () => {
  assertEquals(
    syslogPacket(16, Level.NOTICE, "s: é"),
    new Uint8Array([0x3c, 0x31, 0x33, 0x33, 0x3e, 0x73, 0x3a, 0x20, 0xc3, 0xa9, 0]),
  );
});
