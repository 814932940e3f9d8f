/**
 * Runs Swift's functional tests (test/functional of the Swift source tree, s3api excluded)
 * with pytest against a cluster's proxy on 127.0.0.1:8080, as the tempauth users the
 * all-in-one configs define, and reads the results from pytest's JUnit XML.
 */
import { join } from "@std/path";
import type { Place } from "./_clusters.ts";
import { parseJunit, type TestResult } from "./_junit.ts";

/** test.conf [func_test] for the all-in-one's tempauth users. */
export const TEST_CONF = `[func_test]
auth_uri = http://127.0.0.1:8080/auth/v1.0
account = test
username = tester
password = testing
account2 = test2
username2 = tester2
password2 = testing2
username3 = tester3
password3 = testing3
`;

/** The suite's test files, relative to `source`: test_*.py and tests.py (not s3api/). */
export function suiteFiles(source: string): string[] {
  const dir = join(source, "test", "functional");
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && (/^test_.*\.py$/.test(e.name) || e.name === "tests.py"))
    .map((e) => `test/functional/${e.name}`)
    .sort();
}

/** What one pytest run left behind. */
export interface SuiteRun {
  readonly results: TestResult[];
  /** pytest's summary line ("13 failed, 476 passed, ..."). */
  readonly summary: string;
  readonly output: string;
}

/** Runs pytest on `tests` (files or node ids) inside `where`; kills it after `timeoutMs`. */
export async function runSuite(
  where: Place,
  options: { source: string; tests: string[]; workDir: string; timeoutMs: number },
): Promise<SuiteRun> {
  const conf = join(options.workDir, "test.conf");
  const junit = join(options.workDir, "junit.xml");
  await Deno.writeTextFile(conf, TEST_CONF);
  await Deno.remove(junit).catch(() => {});
  const command = [
    ...where.prefix,
    "/usr/bin/python3",
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "-o",
    "junit_family=xunit1",
    `--junitxml=${junit}`,
    ...options.tests,
  ];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: options.source,
    env: { SWIFT_TEST_CONFIG_FILE: conf, PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const { stdout, stderr, code, signal } = await child.output();
  clearTimeout(timer);
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  if (signal !== null) {
    throw new Error(
      `pytest did not finish in ${options.timeoutMs / 1000} s:\n${output.slice(-3000)}`,
    );
  }
  // 0: all passed, 1: some failed; anything else means pytest itself could not run.
  if (code !== 0 && code !== 1) {
    throw new Error(`pytest exited with ${code}:\n${output.slice(-3000)}`);
  }
  const summary = output.trim().split("\n").pop() ?? "";
  return { results: parseJunit(await Deno.readTextFile(junit)), summary, output };
}
