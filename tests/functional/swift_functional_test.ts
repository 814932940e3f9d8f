/**
 * Swift's own functional test suite (test/functional of the Swift 2.30.1 source, s3api
 * excluded) against swiftd's all-in-one default and against real Swift 2.30 set up the same
 * way. Writes the per-file comparison to docs/functional-tests.md and fails when a test that
 * passes on Swift fails on swiftd, unless known_differences.json says why.
 *
 * SWIFT_SOURCE names the source tree (CI's .ci/run unpacks it at the default path).
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import {
  canIsolate,
  type Cluster,
  type Place,
  place,
  startSwiftCluster,
  startSwiftdCluster,
} from "./_clusters.ts";
import type { TestResult } from "./_junit.ts";
import { runSuite, suiteFiles, type SuiteRun } from "./_pytest.ts";
import { compareRuns, type KnownDifferences, renderMarkdown } from "./_report.ts";
import { formatMarkdown } from "../_helpers/format_markdown.ts";

const SOURCE = Deno.env.get("SWIFT_SOURCE") ?? "/var/tmp/swiftd-swift-source/swift-2.30.1";
const KNOWN_PATH = new URL("./known_differences.json", import.meta.url);
const DOC_PATH = new URL("../../docs/functional-tests.md", import.meta.url);
/**
 * A run takes 6-8 minutes on a quiet 2-core machine and 13 or more under load; a hung one must
 * not eat CI's whole budget.
 */
const SUITE_TIMEOUT_MS = 25 * 60_000;
const RERUN_TIMEOUT_MS = 3 * 60_000;

async function whyNot(): Promise<string | undefined> {
  try {
    Deno.statSync(join(SOURCE, "test", "functional", "swift_test_client.py"));
  } catch {
    return `SWIFT_SOURCE (${SOURCE}) has no test/functional; .ci/run unpacks Swift's source there`;
  }
  const probe = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import swift.common.wsgi, pytest, mock"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!probe?.success) return "/usr/bin/python3 lacks swift, pytest or mock (Debian's packages)";
  return undefined;
}

const skipReason = await whyNot();
if (skipReason) console.warn(`Skipping Swift's functional tests: ${skipReason}`);

/** Starts a cluster in `where`, runs `fn` with it, and stops it. */
async function withCluster<T>(
  name: string,
  isolate: boolean,
  start: (where: Place) => Promise<Cluster>,
  fn: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  await using where = await place(name, isolate);
  await using cluster = await start(where);
  try {
    return await fn(cluster);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}\n--- ${name} log ---\n${cluster.log()}`);
  }
}

/** `results` with the outcomes of `rerun` for the tests it ran again and passed. */
function withRerun(results: readonly TestResult[], rerun: readonly TestResult[]): TestResult[] {
  const passed = new Map(rerun.filter((r) => r.outcome === "passed").map((r) => [r.id, r]));
  return results.map((r) => passed.get(r.id) ?? r);
}

Deno.test({
  name: "Swift's functional tests pass on swiftd wherever they pass on Swift 2.30, known " +
    "differences aside",
  ignore: skipReason !== undefined,
  async fn() {
    const known = JSON.parse(await Deno.readTextFile(KNOWN_PATH)) as KnownDifferences;
    const tests = suiteFiles(SOURCE);
    const isolate = await canIsolate();
    const workDir = await Deno.makeTempDir({ prefix: "swiftd-func-" });
    const suite = (dir: string, list: string[], timeoutMs: number) => ({
      source: SOURCE,
      tests: list,
      workDir: dir,
      timeoutMs,
    });
    // Every run, awaited before the work directory goes: a failing run must not leave the
    // others' clusters (processes, namespaces, tmpfs data) behind.
    const runs: Promise<unknown>[] = [];
    try {
      await Deno.mkdir(join(workDir, "swift"));
      const swiftRun: Promise<SuiteRun> = withCluster(
        "swift",
        isolate,
        startSwiftCluster,
        (c) => runSuite(c.where, suite(join(workDir, "swift"), tests, SUITE_TIMEOUT_MS)),
      );
      // Handled below; this only keeps a failure before then from counting as unhandled.
      swiftRun.catch(() => {});
      runs.push(swiftRun);
      // Without namespaces both clusters want the same ports, so they take turns.
      if (!isolate) await swiftRun.catch(() => {});
      // The suite against `start`'s cluster; a test that fails once where Swift passes gets one
      // more try while the cluster still runs.
      const rerunning = (name: string, start: (where: Place) => Promise<Cluster>) =>
        withCluster(name, isolate, start, async (c) => {
          const dir = join(workDir, name);
          await Deno.mkdir(dir);
          const first = await runSuite(c.where, suite(dir, tests, SUITE_TIMEOUT_MS));
          console.log(`${name}: ${first.summary}`);
          const theirs = await swiftRun;
          const suspects = compareRuns(first.results, theirs.results, known).unexpected
            .map((d) => d.id);
          if (suspects.length === 0) return { results: first.results, flaky: [] };
          const again = await runSuite(c.where, suite(dir, suspects, RERUN_TIMEOUT_MS));
          return {
            results: withRerun(first.results, again.results),
            flaky: again.results.filter((r) => r.outcome === "passed").map((r) => r.id),
          };
        });
      const oursRun = rerunning("swiftd", startSwiftdCluster);
      oursRun.catch(() => {});
      runs.push(oursRun);
      // swiftd's proxy in front of Swift's storage servers, once Swift's own run is done (and,
      // without namespaces, swiftd's too).
      const mixedRun = (async () => {
        await swiftRun.catch(() => {});
        if (!isolate) await oursRun.catch(() => {});
        return await rerunning("mixed", (where) => startSwiftCluster(where, "swiftd"));
      })();
      mixedRun.catch(() => {});
      runs.push(mixedRun);
      const ours = await oursRun;
      const mixedResult = await mixedRun;
      const swift = await swiftRun;
      console.log(`Swift 2.30: ${swift.summary}`);
      const comparison = compareRuns(ours.results, swift.results, known);
      const mixed = compareRuns(mixedResult.results, swift.results, known);
      await Deno.writeTextFile(
        DOC_PATH,
        renderMarkdown(comparison, howWeRan(isolate), ours.flaky, {
          comparison: mixed,
          flaky: mixedResult.flaky,
        }),
      );
      await formatMarkdown(DOC_PATH);
      assertEquals(
        mixed.unexpected.map((d) => `${d.id}: ${d.message}`),
        [],
        "Tests that pass on Swift 2.30 fail with swiftd's proxy in front of Swift's storage " +
          "servers and are not in known_differences.json",
      );
      assertEquals(
        comparison.unexpected.map((d) => `${d.id}: ${d.message}`),
        [],
        "Tests that pass on Swift 2.30 fail on swiftd and are not in known_differences.json",
      );
    } finally {
      await Promise.allSettled(runs);
      await Deno.remove(workDir, { recursive: true });
    }
  },
});

function howWeRan(isolated: boolean): string {
  return [
    "The clusters run the all-in-one configs (conf/all-in-one/*.conf, proxy with tempauth on",
    "127.0.0.1:8080) on the same data layout: swiftd as `swiftd` with no arguments in an empty",
    "directory, Swift 2.30.1 (Debian's packages) through `run_wsgi()` with the same configs plus",
    "a memcache filter (Swift's tempauth needs memcached), and the mixed cluster: that same real",
    "Swift with `swiftd proxy-server` on the same proxy config (memcache included) in place of",
    "Swift's proxy, in front of Swift's account, container and object servers. The suite is",
    "test/functional of the",
    "Swift 2.30.1 source without s3api, run with Swift's test.conf for the all-in-one's users.",
    "Data lives on tmpfs (/dev/shm) when it has room: ext4 holds at most 4 KiB of xattrs per",
    "file, too little for the metadata-limit tests on either server.",
    isolated
      ? "Each cluster ran in its own network namespace; the mixed one started when Swift's run ended."
      : "The clusters ran one after the other on the host's loopback.",
    "A test that failed on swiftd where Swift passed was run once more before being counted.",
  ].join("\n");
}
