/**
 * The swob and utils helpers the controller depends on, against Swift itself: split_path(),
 * validate_device_partition(), swob's lenient date parsing and Range.ranges_for_length().
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { parseHttpDate } from "../../lib/object/http_date.ts";
import { parseRange, rangesForLength } from "../../lib/object/ranges.ts";
import { splitPath, validateDevicePartition } from "../../lib/object/request_path.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_swob_oracle.py", import.meta.url));

function outcome<T>(run: () => T): T | { error: string } {
  try {
    return run();
  } catch (err) {
    return { error: `ValueError: ${(err as Error).message}` };
  }
}

Deno.test("splitPath() and validateDevicePartition() agree with Swift, messages included", async () => {
  const paths = [
    "/sda1/0/a/c/o",
    "/sda1/0/a/c/o/with/slashes/",
    "/sda1/0/a/c",
    "/sda1/0/a/c/",
    "//0/a/c/o",
    "sda1/0/a/c/o",
    "/sda1/0//c/o",
    "/s d\u00e9/0/a/c/o",
    "/./0/a/c/o",
    "/../0/a/c/o",
    "/sda1/../a/c/o",
    "/sda1/p",
    "/sda1/p/suffix-abc",
    "/sda1/p/s/extra",
    "/",
    "",
  ];
  const shapes: [number, number, boolean][] = [[5, 5, true], [2, 3, true], [1, 3, false], [
    0,
    5,
    true,
  ]];
  const questions: unknown[] = [];
  const answers: unknown[] = [];
  for (const path of paths) {
    for (const [min, max, rest] of shapes) {
      questions.push(["split_path", path, min, max, rest]);
      answers.push(outcome(() => splitPath(path, min, max, rest).map((s) => s ?? null)));
    }
    const [device, partition] = path.split("/").slice(1);
    questions.push(["validate_device_partition", device ?? "", partition ?? ""]);
    answers.push(outcome(() => validateDevicePartition(device ?? "", partition ?? "") ?? null));
  }
  assertEquals(answers, await runPythonJson(ORACLE, [JSON.stringify(questions)]));
});

Deno.test("parseHttpDate() reads If-Modified-Since values as swob does", async () => {
  const dates = [
    "Tue, 14 Nov 2023 22:13:20 GMT",
    "Tue, 14 Nov 2023 22:13:20 +0500",
    "14 Nov 2023 22:13:20",
    "Tuesday, 14-Nov-23 22:13:20 GMT",
    "Tue Nov 14 22:13:20 2023",
    "Tue, 14 Nov 69 22:13:20 GMT",
    "Tue, 14 Nov 68 22:13:20 GMT",
    "Sun, 31 Feb 2023 00:00:00 GMT",
    "Tue, 14 Nov 2023 24:00:00 GMT",
    "Tue, 14 Nov 2023 22:13 GMT",
    "Tue, 14 Nov 2023 22.13.20 GMT",
    "14 November 2023 22:13:20",
    "Nov 14 2023 22:13:20",
    "2023-11-14T22:13:20Z",
    "not a date",
    "",
    "Tue,14 Nov 2023 22:13:20 GMT",
  ];
  const expected = await runPythonJson(ORACLE, [
    JSON.stringify(dates.map((d) => ["parsedate", d])),
  ]);
  assertEquals(dates.map((d) => parseHttpDate(d) ?? null), expected);
});

Deno.test("parseRange() and rangesForLength() agree with swob's Range", async () => {
  const headers = [
    "bytes=0-0",
    "bytes=0-9",
    "bytes=-5",
    "bytes=3-",
    "bytes=0-1,3-4",
    "bytes=5-2",
    "bytes=99999-",
    "bytes=-0",
    "bytes=0-1,0-2,0-3,0-4",
    "bytes=0-1,0-2,0-3",
    "bytes=9-9,8-8,7-7,6-6,5-5,4-4,3-3,2-2,1-1",
    "bytes=9-9,8-8,7-7,6-6,5-5,4-4,3-3",
    "bytes = 0 - 3",
    "BYTES=1-2",
    "items=0-1",
    "bytes=a-b",
    "bytes=0-0,",
    "bytes=--0",
    "bytes=+1-2",
    "bytes=1_0-20",
    "bytes=",
    Array.from({ length: 51 }, (_, i) => `${i * 2}-${i * 2}`).join(",").replace(/^/, "bytes="),
  ];
  const questions: unknown[] = [];
  const answers: unknown[] = [];
  for (const header of headers) {
    for (const length of [0, 5, 10, 200]) {
      questions.push(["ranges", header, length]);
      const specs = parseRange(header);
      answers.push(specs ? rangesForLength(specs, length) : null);
    }
  }
  assertEquals(answers, await runPythonJson(ORACLE, [JSON.stringify(questions)]));
});
