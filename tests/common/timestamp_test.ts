import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { decodeTimestamps, encodeTimestamps, Timestamp } from "../../lib/common/timestamp.ts";

const SWIFT_PYTHON = "/usr/bin/python3";

/** Runs one Python program that imports Swift and returns its JSON output. */
async function runSwiftPython(program: string, input: unknown): Promise<unknown> {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: ["-c", program],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const err = new TextDecoder().decode(stderr);
  assertEquals(code, 0, `python failed: ${err}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

const FORMAT_PROGRAM = `
import json, sys
from swift.common.utils import Timestamp, encode_timestamps, decode_timestamps
out = []
for value, offset, delta in json.load(sys.stdin):
    try:
        t = Timestamp(value, offset=offset, delta=delta)
        out.append([t.normal, t.internal, t.short, t.raw, t.isoformat])
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

Deno.test("Timestamp formats every kind of input exactly as Swift does", async () => {
  const random = seededRandom(7);
  const cases: [string | number, number, number][] = [
    ["0", 0, 0],
    [0, 0, 0],
    ["1402464677.04188", 0, 0],
    ["1402464677.04188_0000000000000001", 0, 0],
    ["1402464677.04188_ff", 3, 0],
    ["0000001234.56789", 0, 0],
    [1234.567891, 0, 0],
    [0.015625, 0, 0],
    ["0.000005", 0, 0],
    ["0.000015", 0, 0],
    [1.000005, 0, 0],
    ["  12.5  ", 0, 0],
    ["1e3", 0, 0],
    ["9999999999.99999", 0, 0],
    ["10000000000", 0, 0],
    ["-1", 0, 0],
    ["abc", 0, 0],
    ["12_zz", 0, 0],
    ["5", 0, -600000],
    ["1700000000.5", 0, 12345],
    [1700000000.999999, 0, 0],
  ];
  for (let i = 0; i < 300; i++) {
    const seconds = Math.floor(random() * 2e9) + Math.floor(random() * 1e6) / 1e6;
    cases.push([random() < 0.5 ? seconds : seconds.toFixed(5), i % 7 === 0 ? i : 0, 0]);
  }
  const expected = await runSwiftPython(FORMAT_PROGRAM, cases) as unknown[];
  const actual = cases.map(([value, offset, delta]) => {
    try {
      const t = new Timestamp(value, { offset, delta });
      return [t.normal, t.internal, t.short, t.raw, t.isoformat];
    } catch {
      return null;
    }
  });
  assertEquals(actual, expected);
});

const ENCODE_PROGRAM = `
import json, sys
from swift.common.utils import Timestamp, encode_timestamps, decode_timestamps
out = []
for a, b, c, explicit, encoded in json.load(sys.stdin):
    enc = encode_timestamps(Timestamp(a), Timestamp(b) if b else None,
                            Timestamp(c) if c else None, explicit)
    dec = [t.internal for t in decode_timestamps(encoded)]
    out.append([enc, dec])
print(json.dumps(out))
`;

Deno.test("encodeTimestamps and decodeTimestamps round-trip like Swift's", async () => {
  const cases: [string, string | null, string | null, boolean, string][] = [
    ["1000.00000", null, null, false, "1000.00000"],
    ["1000.00000", "1000.00000", null, false, "1000.00000+0"],
    ["1000.00000", "1000.00000", "1000.00000", true, "1000.00000+0+0"],
    ["1000.00000", "1001.00000", "1002.50000", false, "1000.00000+186a0+249f0"],
    ["1000.00000_00000000000000ab", "999.00000", "999.00000", false, "1000.00000_ab-186a0"],
    ["1000.00000", "1000.00000", "1000.00001", false, "1000.00000+0+1"],
    ["0000001234.56789", "0000001234.56790", null, false, "0000001234.56789+1-2"],
  ];
  const expected = await runSwiftPython(ENCODE_PROGRAM, cases);
  const actual = cases.map(([a, b, c, explicit, encoded]) => [
    encodeTimestamps(
      new Timestamp(a),
      b ? new Timestamp(b) : null,
      c ? new Timestamp(c) : null,
      explicit,
    ),
    decodeTimestamps(encoded).map((t) => t.internal),
  ]);
  assertEquals(actual, expected);
});

Deno.test("Timestamp comparisons order offsets after the same time and before a later one", () => {
  const base = new Timestamp("1000.00000");
  const withOffset = new Timestamp("1000.00000", { offset: 1 });
  const later = new Timestamp("1000.00001");
  assert(base.lessThan(withOffset));
  assert(withOffset.lessThan(later));
  assert(later.greaterThan(withOffset));
  assert(base.equals("1000"));
  assert(base.equals(1000));
  assertFalse(base.equals("not a time"));
  assertFalse(base.equals(null));
  assertFalse(base.lessThan(null));
  assert(base.lessOrEqual("1000.00000"));
  assert(withOffset.greaterOrEqual(base));
  assertEquals(base.compare(later), -1);
  assertEquals(later.compare(base), 1);
  assertEquals(base.compare("1000"), 0);
});

Deno.test("Timestamp refuses implicit string conversion and out-of-range values", () => {
  assertThrows(() => `${new Timestamp(1)}`, TypeError);
  assertThrows(() => new Timestamp(-1), RangeError, "negative");
  assertThrows(() => new Timestamp("1_" + "f".repeat(17)), RangeError, "offset");
  assertThrows(() => new Timestamp("x"), RangeError, '"x"');
});
