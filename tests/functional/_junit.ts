/**
 * Reads the JUnit XML that `pytest --junitxml -o junit_family=xunit1` writes: one result per
 * testcase, named as pytest names it (`test/functional/tests.py::TestFile::testCopy`).
 */

/** How one test ended. Errors (in setup or the test) count as failures. */
export type Outcome = "passed" | "failed" | "skipped";

/** One test's result. */
export interface TestResult {
  /** pytest's node id: file::Class::test. */
  readonly id: string;
  /** The test file, relative to the Swift source tree. */
  readonly file: string;
  readonly outcome: Outcome;
  /** The skip reason or the first line of the failure, if any. */
  readonly message: string;
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
  "&amp;": "&",
};

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g,
    (entity, name: string) => {
      if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
      return ENTITIES[entity];
    },
  );
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) {
    out.set(match[1], unescapeXml(match[2]));
  }
  return out;
}

/** The testcases of a pytest JUnit report. */
export function parseJunit(xml: string): TestResult[] {
  const results: TestResult[] = [];
  const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    const attrs = attributes(match[1]);
    const body = match[3] ?? "";
    const classname = attrs.get("classname") ?? "";
    const file = attrs.get("file") ?? `${classname.split(".").slice(0, -1).join("/")}.py`;
    const className = classname.split(".").pop()!;
    const id = `${file}::${className}::${attrs.get("name")}`;
    const child = /<(failure|error|skipped)\b([^>]*?)\/?>/.exec(body);
    let outcome: Outcome = "passed";
    let message = "";
    if (child) {
      outcome = child[1] === "skipped" ? "skipped" : "failed";
      message = (attributes(child[2]).get("message") ?? "").split("\n")[0];
    }
    results.push({ id, file, outcome, message });
  }
  return results;
}
