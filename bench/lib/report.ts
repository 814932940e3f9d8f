/**
 * Results as rows of one table: each metric with swiftd's value, Swift's, the ratio
 * swiftd/Swift and, where the project set one, the target and whether it was met. A metric
 * measured in several rounds shows the median of the rounds.
 */
import type { DiskBaseline } from "./dd.ts";
import type { LoadResult, RssResult } from "./run_load.ts";
import type { StartupResult } from "./run_startup.ts";
import type { LoadScenario, Scenario } from "./scenarios.ts";
import { mean, median } from "./stats.ts";
import { failures } from "./wrk.ts";

/** Everything one run measured. */
export interface Results {
  readonly loads: readonly LoadResult[];
  readonly rss: readonly RssResult[];
  readonly startups: readonly StartupResult[];
  /** dd on the same disk, when a scenario compares with it. */
  readonly disk?: DiskBaseline;
}

/** One line of the report. */
export interface Row {
  readonly scenario: string;
  readonly workers: number;
  readonly connections?: number;
  readonly metric: string;
  readonly swiftd?: number;
  readonly swift?: number;
  /** Digits after the decimal point for the values. */
  readonly digits: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

/** Targets the project set (docs state them next to the results; the run never fails on them). */
export const TARGETS = {
  requestsRatio: 10,
  startupMs: 300,
  rssRatio: 1,
  /** Large objects: swiftd's throughput as a share of dd's on the same disk. */
  ddShare: 0.8,
} as const;

/** The names Implementation.name gives the two sides. */
const SIDES = { swiftd: "swiftd", swift: "Swift" } as const;

interface Measured {
  readonly impl: string;
  readonly scenario: string;
  readonly workers: number;
  readonly connections?: number;
}

function keyOf(item: Measured): string {
  return `${item.scenario}|${item.workers}|${item.connections ?? ""}`;
}

/** Items grouped by scenario, workers and connections, in first-seen order, split by side. */
function groups<T extends Measured>(items: readonly T[]) {
  return [...new Set(items.map(keyOf))].map((key) => {
    const same = items.filter((item) => keyOf(item) === key);
    const first = same[0];
    return {
      where: { scenario: first.scenario, workers: first.workers, connections: first.connections },
      swiftd: same.filter((item) => item.impl === SIDES.swiftd),
      swift: same.filter((item) => item.impl === SIDES.swift),
    };
  });
}

/** The median of `value` over `items`, or undefined if there are none. */
function medianOf<T>(items: readonly T[], value: (item: T) => number): number | undefined {
  return items.length ? median(items.map(value)) : undefined;
}

/** swiftd / Swift, or undefined if either is missing. */
export function ratio(values: { swiftd?: number; swift?: number }): number | undefined {
  if (values.swiftd === undefined || values.swift === undefined || values.swift === 0) return;
  return values.swiftd / values.swift;
}

function failureNote(items: readonly LoadResult[]): string | undefined {
  const notes = Object.values(SIDES).map((side) => {
    const mine = items.filter((item) => item.impl === side);
    const failed = mine.reduce((sum, item) => sum + failures(item.wrk), 0);
    const total = mine.reduce((sum, item) => sum + item.wrk.requests, 0);
    return failed ? `${side}: ${failed} of ${total} requests failed` : "";
  }).filter(Boolean);
  return notes.length ? notes.join("; ") : undefined;
}

function loadRows(
  loads: readonly LoadResult[],
  scenarioOf: (name: string) => LoadScenario | undefined,
  disk?: DiskBaseline,
): Row[] {
  return groups(loads).flatMap(({ where, swiftd, swift }) => {
    const scenario = scenarioOf(where.scenario);
    const wanted = scenario?.requestsRatio ?? TARGETS.requestsRatio;
    const rps = {
      swiftd: medianOf(swiftd, (l) => l.wrk.requestsPerSecond),
      swift: medianOf(swift, (l) => l.wrk.requestsPerSecond),
    };
    const r = ratio(rps);
    const rows: Row[] = [
      {
        ...where,
        metric: "requests/s",
        ...rps,
        digits: 0,
        target: scenario?.throughputBytes ? undefined : `≥ ${wanted}x`,
        met: r === undefined || scenario?.throughputBytes ? undefined : r >= wanted,
        note: failureNote([...swiftd, ...swift]),
      },
      {
        ...where,
        metric: "p99 latency (ms)",
        swiftd: medianOf(swiftd, (l) => l.wrk.latencyMs.p99),
        swift: medianOf(swift, (l) => l.wrk.latencyMs.p99),
        digits: 2,
      },
    ];
    const bytes = scenario?.throughputBytes;
    if (bytes) {
      const mibs = {
        swiftd: rps.swiftd === undefined ? undefined : rps.swiftd * bytes / 2 ** 20,
        swift: rps.swift === undefined ? undefined : rps.swift * bytes / 2 ** 20,
      };
      const dd = scenario.dd && disk
        ? (scenario.dd === "write" ? disk.writeMiBs : disk.readMiBs)
        : undefined;
      rows.push({
        ...where,
        metric: dd === undefined
          ? "throughput (MiB/s)"
          : `throughput (MiB/s); dd ${scenario.dd}s ${dd.toFixed(0)} MiB/s on the same disk`,
        ...mibs,
        digits: 0,
        target: dd === undefined ? undefined : `swiftd ≥ ${TARGETS.ddShare * 100}% of dd`,
        met: dd === undefined || mibs.swiftd === undefined
          ? undefined
          : mibs.swiftd >= TARGETS.ddShare * dd,
        note: dd === undefined || mibs.swiftd === undefined
          ? undefined
          : `swiftd at ${(100 * mibs.swiftd / dd).toFixed(0)}% of dd`,
      });
    }
    return rows;
  });
}

function rssRows(rss: readonly RssResult[]): Row[] {
  return groups(rss).flatMap(({ where, swiftd, swift }) => {
    const cluster = (swiftd[0]?.servers ?? swift[0]?.servers ?? 1) > 1;
    const perWorker = {
      swiftd: medianOf(swiftd, (r) => mean(r.workerKiB) / 1024),
      swift: medianOf(swift, (r) => mean(r.workerKiB) / 1024),
    };
    const r = ratio(perWorker);
    return [
      {
        ...where,
        metric: `RSS per ${cluster ? "proxy " : ""}worker after load (MiB)`,
        ...perWorker,
        digits: 1,
        target: "≤ Swift",
        met: r === undefined ? undefined : r <= TARGETS.rssRatio,
      },
      {
        ...where,
        metric: `RSS of the ${cluster ? "proxy's " : ""}parent after load (MiB)`,
        swiftd: medianOf(swiftd, (r) => r.parentKiB / 1024),
        swift: medianOf(swift, (r) => r.parentKiB / 1024),
        digits: 1,
      },
      ...(swiftd[0]?.servers ?? 1) > 1
        ? [{
          ...where,
          metric: `RSS of all ${swiftd[0].servers} servers' processes after load (MiB)`,
          swiftd: medianOf(swiftd, (r) => r.totalKiB / 1024),
          swift: medianOf(swift, (r) => r.totalKiB / 1024),
          digits: 1,
          target: "≤ Swift",
          met: undefined as boolean | undefined,
        }].map((row) => {
          const r = ratio(row);
          return { ...row, met: r === undefined ? undefined : r <= TARGETS.rssRatio };
        })
        : [],
    ];
  });
}

function startupRows(startups: readonly StartupResult[]): Row[] {
  return groups(startups).map(({ where, swiftd, swift }) => {
    const swiftdMs = medianOf(swiftd.flatMap((s) => s.samplesMs), (ms) => ms);
    const samples = swiftd.reduce((n, s) => n + s.samplesMs.length, 0);
    return {
      ...where,
      metric: `start to first 200, median of ${samples} (ms)`,
      swiftd: swiftdMs,
      swift: medianOf(swift.flatMap((s) => s.samplesMs), (ms) => ms),
      digits: 0,
      target: `< ${TARGETS.startupMs} ms`,
      met: swiftdMs === undefined ? undefined : swiftdMs < TARGETS.startupMs,
    };
  });
}

/** The rows of a run: loads, then startup, then memory. */
export function rowsOf(results: Results, scenarios: readonly Scenario[]): Row[] {
  const scenarioOf = (name: string) =>
    scenarios.find((s): s is LoadScenario => s.kind === "load" && s.name === name);
  return [
    ...loadRows(results.loads, scenarioOf, results.disk),
    ...startupRows(results.startups),
    ...rssRows(results.rss),
  ];
}

function cell(value: number | undefined, digits: number): string {
  return value === undefined ? "–" : value.toFixed(digits);
}

/** The rows as a markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const header = [
    "| Scenario | Workers | Conns | Metric | swiftd | Swift | swiftd/Swift | Target |",
    "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
  ];
  const lines = rows.map((row) => {
    const r = ratio(row);
    const target = row.target
      ? `${row.target}${row.met === undefined ? "" : row.met ? " ✅ met" : " ❌ missed"}`
      : "";
    const note = row.note ? ` (${row.note})` : "";
    return `| ${row.scenario} | ${row.workers} | ${
      row.connections ?? ""
    } | ${row.metric}${note} | ` +
      `${cell(row.swiftd, row.digits)} | ${cell(row.swift, row.digits)} | ` +
      `${r === undefined ? "–" : `${r.toFixed(2)}x`} | ${target} |`;
  });
  return [...header, ...lines].join("\n");
}
