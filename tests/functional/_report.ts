/**
 * Compares Swift's functional suite run against swiftd with the same run against real Swift:
 * counts per test file, the tests that pass on Swift but not on swiftd (each with its reason
 * from known_differences.json, or the skip message), and the Markdown of
 * docs/functional-tests.md.
 */
import type { Outcome, TestResult } from "./_junit.ts";

/** known_differences.json: test id (or a prefix ending in "*") -> why swiftd differs. */
export type KnownDifferences = Readonly<Record<string, string>>;

/** Pass/fail/skip counts. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** A test that passes on Swift but not on swiftd. */
export interface Difference {
  readonly id: string;
  readonly swiftd: Outcome;
  readonly message: string;
  /** The reason known_differences.json gives, if it lists the test. */
  readonly known?: string;
}

/** The comparison of the two runs. */
export interface Comparison {
  readonly files: readonly { file: string; swiftd: Counts; swift: Counts }[];
  readonly totals: { swiftd: Counts; swift: Counts };
  readonly differences: readonly Difference[];
  /** Failing on swiftd after passing on Swift, and not in known_differences.json. */
  readonly unexpected: readonly Difference[];
  /** Listed in known_differences.json but passing on swiftd now. */
  readonly stale: readonly string[];
  /** Tests failing on Swift itself, with swiftd's outcome and Swift's message. */
  readonly swiftFailures: readonly { id: string; swiftd: Outcome; message: string }[];
}

const RANK: Record<Outcome, number> = { passed: 0, skipped: 1, failed: 2 };

/** One outcome per id: a test reported twice (a teardown error after a pass) keeps the worst. */
export function byId(results: readonly TestResult[]): Map<string, TestResult> {
  const out = new Map<string, TestResult>();
  for (const result of results) {
    const seen = out.get(result.id);
    if (!seen || RANK[result.outcome] > RANK[seen.outcome]) out.set(result.id, result);
  }
  return out;
}

/** The reason `known` gives for `id`: an exact entry, else the longest matching "prefix*". */
export function knownReason(known: KnownDifferences, id: string): string | undefined {
  if (known[id] !== undefined) return known[id];
  let best: string | undefined;
  for (const key of Object.keys(known)) {
    if (!key.endsWith("*") || !id.startsWith(key.slice(0, -1))) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  return best === undefined ? undefined : known[best];
}

function zero(): Counts {
  return { passed: 0, failed: 0, skipped: 0 };
}

/** Compares swiftd's results with Swift's. */
export function compareRuns(
  swiftdResults: readonly TestResult[],
  swiftResults: readonly TestResult[],
  known: KnownDifferences,
): Comparison {
  const swiftd = byId(swiftdResults);
  const swift = byId(swiftResults);
  const files = new Map<string, { swiftd: Counts; swift: Counts }>();
  const totals = { swiftd: zero(), swift: zero() };
  const count = (results: Map<string, TestResult>, side: "swiftd" | "swift") => {
    for (const result of results.values()) {
      const entry = files.get(result.file) ?? { swiftd: zero(), swift: zero() };
      files.set(result.file, entry);
      entry[side][result.outcome]++;
      totals[side][result.outcome]++;
    }
  };
  count(swiftd, "swiftd");
  count(swift, "swift");
  const differences: Difference[] = [];
  for (const [id, theirs] of swift) {
    if (theirs.outcome !== "passed") continue;
    const ours = swiftd.get(id);
    if (ours?.outcome === "passed") continue;
    differences.push({
      id,
      swiftd: ours?.outcome ?? "failed",
      message: ours?.message ?? "not run on swiftd",
      known: knownReason(known, id),
    });
  }
  differences.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const swiftFailures = [...swift.values()].filter((r) => r.outcome === "failed").map((r) => ({
    id: r.id,
    swiftd: swiftd.get(r.id)?.outcome ?? "failed",
    message: r.message,
  })).sort((a, b) => a.id < b.id ? -1 : 1);
  const stale = Object.keys(known).filter((key) =>
    !key.endsWith("*") && swiftd.get(key)?.outcome === "passed"
  ).sort();
  return {
    files: [...files].sort(([a], [b]) => a < b ? -1 : 1).map(([file, c]) => ({ file, ...c })),
    totals,
    differences,
    unexpected: differences.filter((d) => d.swiftd === "failed" && d.known === undefined),
    stale,
    swiftFailures,
  };
}

function cells(c: Counts): string {
  return `${c.passed} | ${c.failed} | ${c.skipped}`;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The mixed run (swiftd's proxy in front of Swift's storage servers) compared with Swift. */
export interface MixedRun {
  readonly comparison: Comparison;
  readonly flaky: readonly string[];
}

function failedTable(lines: string[], differences: readonly Difference[]): void {
  const failed = differences.filter((d) => d.swiftd === "failed");
  if (failed.length === 0) {
    lines.push("None.");
    return;
  }
  lines.push("| Test | Reason |", "| --- | --- |");
  for (const d of failed) {
    const reason = d.known ?? `**not a known difference**: ${d.message}`;
    lines.push(`| \`${d.id}\` | ${escapeCell(reason)} |`);
  }
}

function flakyList(lines: string[], title: string, flaky: readonly string[]): void {
  if (flaky.length === 0) return;
  lines.push("", title, "");
  for (const id of [...flaky].sort()) lines.push(`- \`${id}\``);
}

/** docs/functional-tests.md. */
export function renderMarkdown(
  comparison: Comparison,
  how: string,
  flaky: readonly string[] = [],
  mixed?: MixedRun,
): string {
  const mixedFiles = new Map(mixed?.comparison.files.map((f) => [f.file, f.swiftd]));
  const mixedHead = mixed ? " swiftd proxy + Swift storage pass | fail | skip |" : "";
  const mixedRule = mixed ? " ---: | ---: | ---: |" : "";
  const mixedCells = (file?: string) =>
    !mixed
      ? ""
      : ` ${
        cells(file === undefined ? mixed.comparison.totals.swiftd : mixedFiles.get(file) ?? zero())
      } |`;
  const lines = [
    "# Swift's functional tests: swiftd and Swift 2.30",
    "",
    "Written by `tests/functional/swift_functional_test.ts`; do not edit by hand.",
    "",
    how,
    "",
    `| Test file | swiftd pass | fail | skip | Swift pass | fail | skip |${mixedHead}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |${mixedRule}`,
  ];
  for (const { file, swiftd, swift } of comparison.files) {
    lines.push(
      `| ${file.split("/").pop()} | ${cells(swiftd)} | ${cells(swift)} |${mixedCells(file)}`,
    );
  }
  const { totals } = comparison;
  lines.push(`| **total** | ${cells(totals.swiftd)} | ${cells(totals.swift)} |${mixedCells()}`, "");
  const skipped = comparison.differences.filter((d) => d.swiftd === "skipped");
  lines.push("## Passing on Swift, failing on swiftd", "");
  failedTable(lines, comparison.differences);
  lines.push("", "## Passing on Swift, skipped on swiftd", "");
  if (skipped.length === 0) lines.push("None.");
  else {
    // Grouped: a missing middleware skips whole classes for one reason.
    const groups = new Map<string, string[]>();
    for (const d of skipped) {
      const reason = d.known ?? `skipped: ${d.message}`;
      groups.set(reason, [...(groups.get(reason) ?? []), d.id]);
    }
    lines.push("| Reason | Tests |", "| --- | --- |");
    for (const [reason, ids] of groups) {
      const shown = ids.length > 6
        ? `${ids.length} tests in ${[...new Set(ids.map((id) => id.split("::")[0]))].join(", ")}`
        : ids.map((id) => `\`${id}\``).join("<br>");
      lines.push(`| ${escapeCell(reason)} | ${shown} |`);
    }
  }
  if (mixed) {
    lines.push(
      "",
      "## Passing on Swift, failing with swiftd's proxy in front of Swift's storage",
      "",
    );
    failedTable(lines, mixed.comparison.differences);
  }
  if (comparison.swiftFailures.length > 0) {
    lines.push("", "## Failing on Swift 2.30 itself", "", "| Test | swiftd | Swift's failure |");
    lines.push("| --- | --- | --- |");
    for (const f of comparison.swiftFailures) {
      lines.push(`| \`${f.id}\` | ${f.swiftd} | ${escapeCell(f.message)} |`);
    }
  }
  flakyList(lines, "## Failed once on swiftd, passed when run again", flaky);
  flakyList(
    lines,
    "## Failed once with swiftd's proxy in front of Swift's storage, passed when run again",
    mixed?.flaky ?? [],
  );
  if (comparison.stale.length > 0) {
    lines.push("", "## Listed as known differences but passing on swiftd now", "");
    for (const id of comparison.stale) lines.push(`- \`${id}\``);
  }
  return `${lines.join("\n")}\n`;
}
