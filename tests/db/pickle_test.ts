import { assertEquals, assertThrows } from "@std/assert";
import { decodePickle, encodePickle, type PickleValue } from "../../lib/db/pickle.ts";
import { runPython } from "./_python.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

const RECORDS: PickleValue[][] = [
  ["obj\u00e9", "0000001234.56789", 5, "text/plain", "etag", 0, 0, null, null],
  [
    "\u0000versions\u0000c",
    "0000000001.00000_0000000000000001",
    2 ** 40,
    "a/b",
    "e",
    1,
    3,
    "1.5",
    "2.5",
  ],
  ["😀/x", "1", -3, "", "", true, false, 70000, -70000],
  ["big", "2", 5368709120, "x".repeat(300), "e", 0, 0, 1.25, -(2 ** 45)],
];

Deno.test("encodePickle() output loads in Python as the same tuple", async () => {
  const loaded = await runPython(
    `
import json, pickle, sys
print(json.dumps([list(pickle.loads(bytes.fromhex(h), encoding='utf8')) for h in json.load(sys.stdin)]))
`,
    RECORDS.map((record) => hex(encodePickle(record))),
  );
  assertEquals(loaded, JSON.parse(JSON.stringify(RECORDS)));
});

Deno.test("decodePickle() reads Python 3 protocol-2 pickles, including bytes and repeated strings", async () => {
  const dumped = await runPython(
    `
import json, pickle, sys
out = []
for rec in json.load(sys.stdin):
    rec = tuple(rec)
    out.append(pickle.dumps(rec, protocol=2).hex())
same = 'shared'
out.append(pickle.dumps((same, same, b'caf\\xc3\\xa9', b''), protocol=2).hex())
print(json.dumps(out))
`,
    RECORDS,
  ) as string[];
  const decoded = dumped.map((h) => decodePickle(unhex(h)));
  assertEquals(decoded.slice(0, RECORDS.length), RECORDS);
  const last = decoded[RECORDS.length] as PickleValue[];
  assertEquals(last.slice(0, 2), ["shared", "shared"]);
  assertEquals(new TextDecoder().decode(last[2] as Uint8Array), "café");
  assertEquals((last[3] as Uint8Array).length, 0);
});

Deno.test("decodePickle() reads Python 2 str records as UTF-8 the way Swift's loader does", async () => {
  // What Python 2's pickle.dumps(('caf\xc3\xa9', 'x' * 300, 7), 2) writes:
  // SHORT_BINSTRING and BINSTRING instead of BINUNICODE.
  const bytes = new Uint8Array([
    0x80,
    0x02,
    0x55,
    0x05,
    ...new TextEncoder().encode("café"),
    0x71,
    0x00,
    0x54,
    0x2c,
    0x01,
    0x00,
    0x00,
    ...new TextEncoder().encode("x".repeat(300)),
    0x71,
    0x01,
    0x4b,
    0x07,
    0x87,
    0x71,
    0x02,
    0x2e,
  ]);
  const fromPython = await runPython(
    `
import json, pickle, sys
print(json.dumps(list(pickle.loads(bytes.fromhex(json.load(sys.stdin)), encoding='utf8'))))
`,
    hex(bytes),
  );
  assertEquals(decodePickle(bytes), fromPython);
});

Deno.test("decodePickle() rejects truncated data and unknown globals naming the problem", () => {
  assertThrows(
    () => decodePickle(new Uint8Array([0x80, 0x02, 0x58, 0x05, 0x00])),
    RangeError,
    "truncated",
  );
  const global = Uint8Array.from("\x80\x02cos\nsystem\n.", (c) => c.charCodeAt(0));
  assertThrows(() => decodePickle(global), RangeError, '"os.system"');
});
