/**
 * Runs Debian's CPython 3.11, the one with Swift 2.30 and paste.deploy installed, as the
 * reference implementation. (The `python3` on PATH may be another build without them.)
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";

/** The interpreter that imports `swift` and `paste`. */
export const SWIFT_PYTHON = "/usr/bin/python3";

/** Runs the Python script at `script` (a path or file URL) and parses its output as JSON. */
export async function runPythonJson(
  script: string | URL,
  args: readonly string[] = [],
): Promise<unknown> {
  const path = script instanceof URL ? fromFileUrl(script) : script;
  const { code, stdout, stderr } = await new Deno.Command(SWIFT_PYTHON, {
    args: [path, ...args],
    env: {
      // UTF-8 mode makes open() decode config files as strict UTF-8 whatever the locale of
      // the machine running the tests is; that is the encoding swiftd reads configs in.
      PYTHONUTF8: "1",
      PYTHONHASHSEED: "0",
      PYTHONDONTWRITEBYTECODE: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, `${SWIFT_PYTHON} failed:\n${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Runs a command to completion and returns its exit code and decoded output. */
export async function runCommand(
  command: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args: [...args],
    env: { PYTHONUTF8: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
