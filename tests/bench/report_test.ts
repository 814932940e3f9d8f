import { assertEquals } from "@std/assert";
import { markdownTable, rowsOf } from "../../bench/lib/report.ts";
import type { LoadResult } from "../../bench/lib/run_load.ts";
import { SCENARIOS } from "../../bench/lib/scenarios.ts";
import type { WrkResult } from "../../bench/lib/wrk.ts";

function wrk(requestsPerSecond: number, p99: number, non2xx = 0): WrkResult {
  return {
    requestsPerSecond,
    latencyMs: { p50: 1, p75: 1, p90: 1, p99 },
    requests: 1000,
    non2xx,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

function load(
  impl: string,
  round: number,
  result: WrkResult,
  scenario = "healthcheck",
): LoadResult {
  return { round, scenario, impl, workers: 1, connections: 50, wrk: result };
}

Deno.test("rowsOf() reports the median of the rounds and the ratio swiftd/Swift", () => {
  const rows = rowsOf({
    loads: [
      load("Swift", 1, wrk(100, 40)),
      load("swiftd", 1, wrk(900, 4)),
      load("Swift", 2, wrk(300, 20)),
      load("swiftd", 2, wrk(2000, 2)),
      load("Swift", 3, wrk(200, 30, 5)),
      load("swiftd", 3, wrk(1500, 3)),
    ],
    rss: [],
    startups: [],
  }, SCENARIOS);
  assertEquals(rows.map((r) => [r.metric, r.swiftd, r.swift, r.met]), [
    ["requests/s", 1500, 200, false],
    ["p99 latency (ms)", 3, 30, undefined],
  ]);
  assertEquals(rows[0].note, "Swift: 5 of 3000 requests failed");
  const table = markdownTable(rows).split("\n");
  assertEquals(
    table[2],
    "| healthcheck | 1 | 50 | requests/s (Swift: 5 of 3000 requests failed) | 1500 | 200 | " +
      "7.50x | ≥ 10x ❌ missed |",
  );
});

Deno.test("rowsOf() checks startup against the absolute target and RSS against Swift's", () => {
  const rows = rowsOf({
    loads: [],
    startups: [
      { scenario: "startup", impl: "swiftd", workers: 1, samplesMs: [250, 200, 900] },
      { scenario: "startup", impl: "Swift", workers: 1, samplesMs: [2000, 2100, 1900] },
    ],
    rss: [
      {
        round: 1,
        scenario: "get-4k",
        impl: "swiftd",
        workers: 2,
        parentKiB: 1024,
        workerKiB: [2048, 4096],
        totalKiB: 7168,
        servers: 1,
      },
      {
        round: 1,
        scenario: "get-4k",
        impl: "Swift",
        workers: 2,
        parentKiB: 2048,
        workerKiB: [3072, 3072],
        totalKiB: 8192,
        servers: 1,
      },
    ],
  }, SCENARIOS);
  assertEquals(rows.map((r) => [r.metric, r.swiftd, r.swift, r.met]), [
    ["start to first 200, median of 3 (ms)", 250, 2000, true],
    ["RSS per worker after load (MiB)", 3, 3, true],
    ["RSS of the parent after load (MiB)", 1, 2, undefined],
  ]);
});

Deno.test("rowsOf() holds each scenario to its own requests/s target", () => {
  const rows = rowsOf({
    loads: [
      load("Swift", 1, wrk(100, 10), "disk-get-4k"),
      load("swiftd", 1, wrk(600, 2), "disk-get-4k"),
    ],
    rss: [],
    startups: [],
  }, SCENARIOS);
  assertEquals(rows[0].target, "≥ 5x");
  assertEquals(rows[0].met, true);
});

Deno.test("rowsOf() reports a large-object load in MiB/s against dd on the same disk", () => {
  const rows = rowsOf({
    loads: [
      load("Swift", 1, wrk(10, 900), "disk-put-16m"),
      load("swiftd", 1, wrk(20, 500), "disk-put-16m"),
    ],
    rss: [],
    startups: [],
    disk: { writeMiBs: 400, readMiBs: 1000, commands: [] },
  }, SCENARIOS);
  assertEquals(rows.map((r) => [r.metric, r.swiftd, r.swift, r.target, r.met]), [
    ["requests/s", 20, 10, undefined, undefined],
    ["p99 latency (ms)", 500, 900, undefined, undefined],
    [
      "throughput (MiB/s); dd writes 400 MiB/s on the same disk",
      320,
      160,
      "swiftd ≥ 80% of dd",
      true,
    ],
  ]);
  assertEquals(rows[2].note, "swiftd at 80% of dd");
});

Deno.test("rowsOf() sums the memory of every server of a cluster and compares it", () => {
  const rss = (impl: string, totalKiB: number) => ({
    round: 1,
    scenario: "proxy-get-4k",
    impl,
    workers: 1,
    parentKiB: 1024,
    workerKiB: [2048],
    totalKiB,
    servers: 4,
  });
  const rows = rowsOf(
    { loads: [], startups: [], rss: [rss("swiftd", 40 * 1024), rss("Swift", 50 * 1024)] },
    SCENARIOS,
  );
  assertEquals(rows.map((r) => [r.metric, r.swiftd, r.swift, r.met]), [
    ["RSS per proxy worker after load (MiB)", 2, 2, true],
    ["RSS of the proxy's parent after load (MiB)", 1, 1, undefined],
    ["RSS of all 4 servers' processes after load (MiB)", 40, 50, true],
  ]);
});
