/**
 * docs/benchmarks.md, written whole by each full run: the results table next to the targets,
 * then how it was measured, on what machine, and the exact commands, so a reader can rerun it.
 */
import { fromFileUrl } from "@std/path";
import type { Implementation } from "./implementations.ts";
import type { Machine } from "./machine.ts";
import { markdownTable, type Row, TARGETS } from "./report.ts";
import type { Scenario } from "./scenarios.ts";
import { wrkArgs, type WrkOptions } from "./wrk.ts";

/** What the doc is made of. */
export interface DocInput {
  readonly rows: readonly Row[];
  readonly machine: Machine;
  readonly scenarios: readonly Scenario[];
  readonly implementations: readonly Implementation[];
  /** The bench command line as run. */
  readonly command: string;
  readonly wrk: Omit<WrkOptions, "connections"> & { readonly warmupSeconds: number };
  readonly startupSamples: number;
  readonly rounds: number;
  readonly user: string;
  /** This run's temp directory, shown as TMP so the commands read the same on any machine. */
  readonly tempRoot: string;
}

const REPO = fromFileUrl(new URL("../../", import.meta.url));

/** An argv as a reader would type it: repo paths relative, the temp dir as TMP, deno by name. */
function portable(argv: readonly string[], tempRoot: string): string {
  return argv.map((arg) =>
    arg === Deno.execPath()
      ? "deno"
      : arg.replaceAll(tempRoot, "TMP").replace(REPO, "").replace(/^deno\.json$/, "./deno.json")
  ).join(" ");
}

function scenarioList(scenarios: readonly Scenario[]): string {
  return scenarios.map((s) => {
    const matrix = s.kind === "load"
      ? `workers ${s.workers.join(" and ")}, ${s.connections.join(" and ")} connections`
      : `workers ${s.workers.join(" and ")}, probe \`GET ${s.probe}\``;
    return `- \`${s.name}\`: ${s.title} (${s.server}; ${matrix}).`;
  }).join("\n");
}

function commands(input: DocInput): string {
  const load = input.scenarios.find((s) => s.kind === "load");
  const servers = input.implementations.map((impl) =>
    portable(impl.command(input.scenarios[0]?.server ?? "object-server", "CONF"), input.tempRoot) +
    `   # ${impl.name}`
  );
  const wrk = (seconds: number) =>
    `wrk ${
      wrkArgs(0, load?.load ?? { path: "/PATH", expect: 200 }, {
        ...input.wrk,
        seconds,
        connections: 50,
      }).join(" ").replace("127.0.0.1:0", "127.0.0.1:PORT")
    }`;
  return [
    `deno task bench${input.command ? ` ${input.command}` : ""}`,
    "",
    "# each server, from the repository root, on one CONF file (below) with a free PORT;",
    "# TMP/swift holds a swift.conf with only [swift-hash] (prefix and suffix: bench)",
    ...servers,
    "",
    `# per connection count (50, 500): a warm-up, then the measured run`,
    wrk(input.wrk.warmupSeconds),
    wrk(input.wrk.seconds),
  ].join("\n");
}

function machineTable(m: Machine): string {
  return [
    "| | |",
    "| --- | --- |",
    `| CPU | ${m.cpu} |`,
    `| Cores | ${m.cores} |`,
    `| Kernel | ${m.kernel} |`,
    `| Deno | ${m.deno} |`,
    `| Python | ${m.python} |`,
    `| Swift | ${m.swift} |`,
    `| wrk | ${m.wrk} |`,
    `| swiftd | ${m.swiftd} |`,
    `| Date | ${m.date} |`,
    `| Load average (1, 5, 15 min) | ${m.loadBefore} at the start, ${m.loadAfter} at the end |`,
  ].join("\n");
}

function sampleConfig(input: DocInput): string {
  const scenario = input.scenarios[0];
  if (!scenario) return "";
  return scenario.config({ port: 0, workers: 1, runDir: "TMP/run", user: input.user })
    .replace("bind_port = 0", "bind_port = PORT")
    .replace("workers = 1", "workers = N");
}

/** The whole of docs/benchmarks.md. */
export function benchmarksDoc(input: DocInput): string {
  return `# Benchmarks: swiftd against OpenStack Swift

\`deno task bench\` (bench/main.ts) runs one config file under real Swift
(Debian's \`swift-object-server\`) and under swiftd on the same machine, in the same run, with the
same load, and reports each metric for both and the ratio swiftd/Swift. This file is written by
the bench; rerun it rather than editing the numbers.

## Targets

Stated next to the results; the bench never fails on them.

- Requests per second: at least ${TARGETS.requestsRatio}x Swift's per worker (both run the same
  workers count, so the ratio of totals is the ratio per worker).
- Startup (process start to the first 200 of \`GET /healthcheck\`): under ${TARGETS.startupMs} ms.
- Resident memory per worker: no higher than Swift's.

## Results

${markdownTable(input.rows)}

Loads ran ${input.rounds} round(s); each load value is the median of the rounds. For latency,
startup and memory a ratio below 1 means swiftd does better. Latency is
wrk's 99th percentile. A "failed" note counts non-2xx answers and socket errors (wrk's timeout
is ${input.wrk.timeoutSeconds} s; slower requests count as timeouts, not in the latency).

## What is measured, and how

${scenarioList(input.scenarios)}

- Each measurement starts a fresh server: a free port, a private temp directory (\`run_dir\`, a
  private \`swift.conf\` for Swift through bench/swift_launcher.py), \`user\` set to the current
  user (${input.user}) so neither drops privileges. The implementations alternate, Swift and
  swiftd never run at the same time, and the bench waits until every worker holds the listening
  socket before loading it.
- Load: wrk with ${input.wrk.threads} threads, a ${input.wrk.warmupSeconds} s warm-up, then
  ${input.wrk.seconds} s measured, per connection count, on keep-alive connections.
- \`get-4k\`: mem_object keeps objects in each worker's memory, so the PUT
  (\`X-Timestamp\` now as \`%.5f\`, \`Content-Length: 4096\`) is sent on fresh concurrent
  connections until GETs on fresh connections all answer 200, i.e. every worker has the object.
- Startup: median of ${input.startupSamples} starts per implementation and workers count, from
  the spawn of the process to the first 200 on a fresh connection (polled every 2 ms); one
  unmeasured start first warms the page cache and Deno's and Python's compile caches.
- Memory: VmRSS from /proc/PID/status of the parent and of each worker (the parent's children)
  after the last load of the server. RSS counts pages a worker shares with its parent (Swift
  forks, so much of its interpreter is shared; swiftd's workers are separate processes).

Caveats: wrk runs on the same ${input.machine.cores} cores as the server it loads, and so do
any other processes on the machine (see the load average below): the absolute numbers are
lower and noisier than on a dedicated machine, for both sides, which is why the bench reports
ratios measured in the same run, rounds interleaved. Both log each request to syslog over UDP
(\`log_udp_host\` in the config), so both pay the same for their access log lines.

## Machine

${machineTable(input.machine)}

## Exact commands

\`\`\`sh
${commands(input)}
\`\`\`

The config (CONF), the same file for both implementations:

\`\`\`ini
${sampleConfig(input).trimEnd()}
\`\`\`
`;
}
