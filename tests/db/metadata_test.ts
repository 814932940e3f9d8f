import { assertEquals } from "@std/assert";
import { type Metadata, validateMetadata } from "../../lib/db/metadata.ts";
import { runPython } from "./_python.ts";

const VALIDATE = `
import json, sys
from swift.common.db import DatabaseBroker
out = []
for pairs in json.load(sys.stdin):
    try:
        DatabaseBroker.validate_metadata({k: tuple(v) for k, v in pairs})
        out.append(None)
    except Exception as e:
        out.append(e.body.decode())
print(json.dumps(out))
`;

function metaSet(
  count: number,
  valueLength: number,
  prefix = "X-Container-Meta-",
): [string, [string, string]][] {
  return Array.from(
    { length: count },
    (_, i) => [`${prefix}K${i}`, ["v".repeat(valueLength), "1.00000"]],
  );
}

Deno.test("validateMetadata() accepts and rejects the same metadata as Swift, with its messages", async () => {
  const cases: [string, [string, string]][][] = [
    metaSet(90, 1),
    metaSet(91, 1),
    [...metaSet(91, 0)],
    [...metaSet(90, 1), ["X-Container-Sysmeta-Extra", ["x", "1.00000"]]],
    metaSet(1, 4096 - 2),
    metaSet(1, 4096 - 1),
    metaSet(2, 2000, "x-account-meta-"),
    [["X-Container-Meta-Nul", ["a\u0000b", "1.00000"]]],
    [["X-Container-Meta-\u00e9t\u00e9", ["\u{1f600}".repeat(2040), "1.00000"]]],
  ];
  const expected = await runPython(VALIDATE, cases);
  const actual = cases.map((pairs) => {
    try {
      validateMetadata(new Map(pairs) as Metadata);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  });
  assertEquals(actual, expected);
});
