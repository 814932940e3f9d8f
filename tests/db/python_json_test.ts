import { assertEquals } from "@std/assert";
import {
  pythonFloatRepr,
  pythonJsonDumps,
  pythonJsonLoads,
  type PythonJsonValue,
} from "../../lib/db/python_json.ts";
import { runPython } from "./_python.ts";

Deno.test("pythonJsonDumps() writes the bytes Python's json.dumps() writes for metadata", async () => {
  const entries: [string, PythonJsonValue][] = [
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

Deno.test("pythonJsonLoads() keeps key order, integer-like keys included", () => {
  const parsed = pythonJsonLoads('{"b": 1, "10": [2, "x"], "a": {"2": null, "1": true}}');
  assertEquals([...(parsed as Map<string, PythonJsonValue>).keys()], ["b", "10", "a"]);
  assertEquals(pythonJsonDumps(parsed), '{"b": 1, "10": [2, "x"], "a": {"2": null, "1": true}}');
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
