import { assertEquals, assertStringIncludes } from "@std/assert";
import { swiftConfOf } from "./_clusters.ts";
import { parseJunit, type TestResult } from "./_junit.ts";
import { compareRuns, knownReason, renderMarkdown } from "./_report.ts";

const JUNIT = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="test.functional.tests.TestFile" file="test/functional/tests.py" name="testCopy" time="0.1" />
<testcase classname="test.functional.tests.TestFile" file="test/functional/tests.py" name="testBad" time="0.1"><failure message="AssertionError: 400 != 412&#10;more">trace &lt;here&gt;</failure></testcase>
<testcase classname="test.functional.test_object.TestObject" file="test/functional/test_object.py" name="test_x" time="0.1"><skipped type="pytest.skip" message="Symlinks not enabled">why</skipped></testcase>
<testcase classname="test.functional.test_object.TestObject" file="test/functional/test_object.py" name="test_y" time="0.1"><error message="setup &quot;failed&quot;">boom</error></testcase>
</testsuite></testsuites>`;

Deno.test("parseJunit() reads pytest's outcomes, node ids and first message lines", () => {
  assertEquals(parseJunit(JUNIT), [
    {
      id: "test/functional/tests.py::TestFile::testCopy",
      file: "test/functional/tests.py",
      outcome: "passed",
      message: "",
    },
    {
      id: "test/functional/tests.py::TestFile::testBad",
      file: "test/functional/tests.py",
      outcome: "failed",
      message: "AssertionError: 400 != 412",
    },
    {
      id: "test/functional/test_object.py::TestObject::test_x",
      file: "test/functional/test_object.py",
      outcome: "skipped",
      message: "Symlinks not enabled",
    },
    {
      id: "test/functional/test_object.py::TestObject::test_y",
      file: "test/functional/test_object.py",
      outcome: "failed",
      message: 'setup "failed"',
    },
  ]);
});

function result(id: string, outcome: TestResult["outcome"], message = ""): TestResult {
  return { id, file: id.split("::")[0], outcome, message };
}

Deno.test("compareRuns() flags tests passing on Swift and failing on swiftd unless known", () => {
  const swift = [
    result("a.py::T::ok", "passed"),
    result("a.py::T::known", "passed"),
    result("a.py::T::new", "passed"),
    result("b.py::T::skipped", "passed"),
    result("b.py::T::bothFail", "failed"),
  ];
  const swiftd = [
    result("a.py::T::ok", "passed"),
    result("a.py::T::known", "failed", "400 != 412"),
    result("a.py::T::new", "failed", "boom"),
    result("b.py::T::skipped", "skipped", "Symlinks not enabled"),
    result("b.py::T::bothFail", "failed"),
    // A teardown error after a pass is reported as a second testcase; the failure counts.
    result("a.py::T::ok", "failed", "teardown"),
  ];
  const comparison = compareRuns(swiftd, swift, {
    "a.py::T::known": "Deno.serve answers first",
    "b.py::*": "symlink is not in swiftd yet",
    "a.py::T::gone": "fixed since",
  });
  assertEquals(comparison.unexpected.map((d) => d.id), ["a.py::T::new", "a.py::T::ok"]);
  assertEquals(comparison.differences.map((d) => [d.id, d.known]), [
    ["a.py::T::known", "Deno.serve answers first"],
    ["a.py::T::new", undefined],
    ["a.py::T::ok", undefined],
    ["b.py::T::skipped", "symlink is not in swiftd yet"],
  ]);
  assertEquals(comparison.totals, {
    swiftd: { passed: 0, failed: 4, skipped: 1 },
    swift: { passed: 4, failed: 1, skipped: 0 },
  });
  const markdown = renderMarkdown(comparison, "How.", ["a.py::T::flaky"]);
  assertStringIncludes(markdown, "| a.py | 0 | 3 | 0 | 3 | 0 | 0 |");
  assertStringIncludes(markdown, "| `a.py::T::new` | **not a known difference**: boom |");
  assertStringIncludes(markdown, "| symlink is not in swiftd yet | `b.py::T::skipped` |");
  assertStringIncludes(markdown, "- `a.py::T::flaky`");
  assertStringIncludes(markdown, "| `b.py::T::bothFail` | failed |  |");
  // The mixed run (swiftd's proxy, Swift's storage) adds three columns and its own failures.
  const mixed = compareRuns(swift, swift, {});
  const withMixed = renderMarkdown(comparison, "How.", [], { comparison: mixed, flaky: ["m"] });
  assertStringIncludes(withMixed, "| swiftd proxy + Swift storage pass | fail | skip |");
  assertStringIncludes(withMixed, "| a.py | 0 | 3 | 0 | 3 | 0 | 0 | 3 | 0 | 0 |");
  assertStringIncludes(withMixed, "front of Swift's storage\n\nNone.");
  assertStringIncludes(withMixed, "passed when run again\n\n- `m`");
});

Deno.test("knownReason() prefers an exact entry, then the longest prefix", () => {
  const known = { "a.py::*": "file", "a.py::T::*": "class", "a.py::T::x": "test" };
  assertEquals(knownReason(known, "a.py::T::x"), "test");
  assertEquals(knownReason(known, "a.py::T::y"), "class");
  assertEquals(knownReason(known, "a.py::U::y"), "file");
  assertEquals(knownReason(known, "b.py::T::x"), undefined);
});

Deno.test("swiftConfOf() names the user, spells out %(here)s and gives the proxy a memcache", () => {
  const proxy = "[DEFAULT]\nuser =\nswift_dir = %(here)s/data/etc\n\n[pipeline:main]\n" +
    "pipeline = catch_errors proxy-logging tempauth proxy-logging proxy-server\n\n" +
    "[app:proxy-server]\nuse = egg:swift#proxy\n";
  assertEquals(
    swiftConfOf(proxy, "/r", "root", 11211),
    "[DEFAULT]\nuser = root\nswift_dir = /r/data/etc\n\n[pipeline:main]\n" +
      "pipeline = catch_errors proxy-logging cache tempauth proxy-logging proxy-server\n\n" +
      "[app:proxy-server]\nuse = egg:swift#proxy\n\n[filter:cache]\nuse = egg:swift#memcache\n" +
      "memcache_servers = 127.0.0.1:11211\n",
  );
  assertEquals(
    swiftConfOf("[DEFAULT]\nuser =\n[app:object-server]\n", "/r", "swift", 1),
    "[DEFAULT]\nuser = swift\n[app:object-server]\n",
  );
});
