import { assertEquals, assertThrows } from "@std/assert";
import {
  JsonDecodeError,
  PyFloat,
  type PyJson,
  pythonJsonDumps,
  pythonJsonLoads,
  pythonJsonLoadsExact,
} from "../../lib/common/python_json.ts";
import { pythonFloatRepr } from "../../lib/common/python_float_repr.ts";
import { runPython } from "../db/_python.ts";

Deno.test("pythonJsonDumps() writes the bytes Python's json.dumps() writes for metadata", async () => {
  const entries: [string, PyJson][] = [
    ["X-Container-Meta-Ü", ['v\u00e9\u0000\u001f\u007f"\\/\n\t😀', "0000000001.00000"]],
    ["123", ["", "0000000002.00000_0000000000000001"]],
    ["1", [1, 2.5, null, true, false, -0.000015, 1e22, 2 ** 53 - 1]],
  ];
  const expected = await runPython(
    `
import json, sys
pairs = json.load(sys.stdin)
print(json.dumps(json.dumps(dict(pairs))))
`,
    entries,
  );
  assertEquals(pythonJsonDumps(new Map(entries)), expected);
});

Deno.test("pythonJsonDumps() with sortKeys and floatKeys writes a ring header as Swift does", async () => {
  const header = {
    devs: [{ id: 0, zone: 1, weight: 100, device: "sdb\u00e9", ip: "127.0.0.1" }, null],
    replica_count: 3,
    part_shift: 22,
    "\u{1F600}": 1,
    "\uFF21": 2,
    byteorder: "little",
  };
  const expected = await runPython(
    `
import json, sys
h = json.load(sys.stdin)
h["devs"][0]["weight"] = float(h["devs"][0]["weight"])
print(json.dumps(json.dumps(h, sort_keys=True, ensure_ascii=True)))
`,
    header,
  );
  assertEquals(
    pythonJsonDumps(header, { sortKeys: true, floatKeys: new Set(["weight"]) }),
    expected,
  );
});

Deno.test("pythonJsonLoadsExact() keeps key order, integer-like keys included, and floats", () => {
  const text = '{"b": 1, "10": [2, "x", 1.0], "a": {"2": null, "1": true}}';
  const parsed = pythonJsonLoadsExact(text);
  assertEquals([...(parsed as Map<string, PyJson>).keys()], ["b", "10", "a"]);
  assertEquals(((parsed as Map<string, PyJson>).get("10") as PyJson[])[2], new PyFloat(1));
  assertEquals(pythonJsonDumps(parsed), text);
});

Deno.test("pythonJsonLoads() returns plain objects, numbers and bigints for large ints", () => {
  const parsed = pythonJsonLoads(
    new TextEncoder().encode('{"a": [1.0, 12345678901234567890, NaN]}'),
  );
  assertEquals(parsed, { a: [1, 12345678901234567890n, NaN] });
});

Deno.test("pythonJsonLoads() rejects what Python rejects, saying where", () => {
  const error = assertThrows(() => pythonJsonLoads('{"a" 1}'), JsonDecodeError);
  assertEquals(error.message, "Expecting ':' delimiter: char 5");
  assertThrows(() => pythonJsonLoadsExact("[1,]"), SyntaxError, "Expecting value: char 3");
  assertThrows(() => pythonJsonLoadsExact("\ufeff{}"), SyntaxError, "Unexpected UTF-8 BOM");
});

Deno.test("pythonFloatRepr() prints floats as Python's repr() does", async () => {
  const values = [
    1700000000,
    1700000000.12345,
    0.1,
    1e-5,
    1.5e-7,
    1e16,
    123.0,
    2 ** 60,
    -2.5,
    1e300,
  ];
  const expected = await runPython(
    "import json, sys\nprint(json.dumps([repr(float(v)) for v in json.load(sys.stdin)]))",
    values,
  );
  assertEquals(values.map(pythonFloatRepr), expected);
});
