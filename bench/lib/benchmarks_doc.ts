/**
 * docs/benchmarks.md, written whole by each full run: the results table next to the targets,
 * then how it was measured, on what machine, and the exact commands, so a reader can rerun it.
 */
import { fromFileUrl } from "@std/path";
import type { DiskBaseline } from "./dd.ts";
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
  /** dd's baseline, when large-object scenarios ran. */
  readonly disk?: DiskBaseline;
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
    const servers = s.servers.map((spec) => spec.server).join(" + ");
    return `- \`${s.name}\`: ${s.title} (${servers}; ${matrix}).`;
  }).join("\n");
}

function commands(input: DocInput): string {
  const load = input.scenarios.find((s) => s.kind === "load");
  const servers = input.implementations.map((impl) =>
    portable(impl.command("object-server", "CONF", "TMP/etc"), input.tempRoot) +
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
    "# TMP/etc holds swift.conf ([swift-hash] prefix and suffix: bench; policy 0) and, for the",
    "# proxy scenarios, the rings bench/swift_rings.py builds (one device, one replica)",
    ...servers,
    "",
    `# per connection count: a warm-up, then the measured run (PUT loads add -s put.lua,`,
    `# which bench/lib/wrk.ts writes: a name and an X-Timestamp of their own per request)`,
    wrk(input.wrk.warmupSeconds),
    wrk(input.wrk.seconds),
    ...(input.disk ? ["", "# the disk's baseline (median of 3)", ...input.disk.commands] : []),
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

/** The configs of the scenarios' servers, each once (by server and first scenario). */
function sampleConfigs(input: DocInput): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const scenario of input.scenarios) {
    for (const spec of scenario.servers) {
      const text = spec.config({
        port: 0,
        workers: 1,
        runDir: "TMP/run",
        user: input.user,
        swiftDir: "TMP/etc",
        devices: "TMP/node",
        memcachePort: 11211,
      }).replace("bind_port = 0", "bind_port = PORT").replace("workers = 1", "workers = N")
        .replace("127.0.0.1:11211", "127.0.0.1:MEMCACHED_PORT");
      if (seen.has(text)) continue;
      seen.add(text);
      out.push(`${spec.server}, as in \`${scenario.name}\`:`);
      out.push("", "```ini", text.trimEnd(), "```", "");
    }
  }
  return out.join("\n");
}

/**
 * A warning when other processes kept the machine busy during the run (1-minute load average
 * above the cores, at the start or the end): the ratios are then noisier than usual.
 */
function busyNote(m: Machine): string {
  const loads = [m.loadBefore, m.loadAfter].map((load) => Number(load.split(" ")[0]));
  if (!loads.some((load) => load > m.cores)) return "";
  return `

**This run's machine was busy**: the 1-minute load average was ${loads[0]} at the start and
${loads[1]} at the end, on ${m.cores} cores, from processes other than the bench. Both sides
ran under the same conditions, interleaved, but single ratios can be off by a factor of two;
rerun on an idle machine before drawing conclusions from one row.`;
}

/** The whole of docs/benchmarks.md. */
export function benchmarksDoc(input: DocInput): string {
  return `# Benchmarks: swiftd against OpenStack Swift

\`deno task bench\` (bench/main.ts) runs the same config files under real Swift (Debian's
Swift 2.30 servers) and under swiftd on the same machine, in the same run, with the same load
generator, and reports each metric for both and the ratio swiftd/Swift. This file is written by
the bench; rerun it rather than editing the numbers.

## Targets

Stated next to the results; the bench never fails on them.

- Requests per second: at least ${TARGETS.requestsRatio}x Swift's per worker for the in-memory
  object server, at least 5x for 4 KiB objects on the object server on disk and through the
  proxy (both run the same workers count, so the ratio of totals is the ratio per worker).
- Large objects to and from the object server on disk (16 MiB): swiftd's throughput at least
  ${TARGETS.ddShare * 100}% of what dd gets writing or reading the same disk. The 64 MiB GET
  through the proxy is reported in MiB/s next to Swift's, without a target.
- Startup (process start to the first 200 of \`GET /healthcheck\`): under ${TARGETS.startupMs} ms.
- Resident memory per worker (and of a whole cluster): no higher than Swift's.

## Results

${markdownTable(input.rows)}

Loads ran ${input.rounds} round(s); each load value is the median of the rounds. For latency,
startup and memory a ratio below 1 means swiftd does better. Latency is
wrk's 99th percentile. A "failed" note counts non-2xx answers and socket errors (wrk's timeout
is ${input.wrk.timeoutSeconds} s; slower requests count as timeouts, not in the latency).${
    input.disk
      ? `

dd on the bench's disk (median of 3): writes ${input.disk.writeMiBs.toFixed(0)} MiB/s with an
fsync at the end, reads ${input.disk.readMiBs.toFixed(0)} MiB/s after dropping the file's
pages from the cache.`
      : ""
  }

## What is measured, and how

${scenarioList(input.scenarios)}

- Each measurement starts fresh servers: free ports, a private temp directory with
  \`swift_dir\` (swift.conf, rings), \`devices\` (one device, \`sda1\`, \`mount_check = false\`)
  and \`run_dir\`, \`user\` set to the current user (${input.user}) so neither drops
  privileges; Swift reads that swift_dir through bench/swift_launcher.py. The directory (with
  every object and database written) is removed when the servers stop. The implementations
  alternate, Swift and swiftd never run at the same time, and the bench waits until every
  worker of every server holds its listening socket before loading it.
- Load: wrk with ${input.wrk.threads} threads, a ${input.wrk.warmupSeconds} s warm-up, then
  ${input.wrk.seconds} s measured, per connection count, on keep-alive connections.
- \`get-4k\`: mem_object keeps objects in each worker's memory, so the PUT
  (\`X-Timestamp\` now as \`%.5f\`, \`Content-Length: 4096\`) is sent on fresh concurrent
  connections until GETs on fresh connections all answer 200, i.e. every worker has the object.
- PUT loads: a Lua script makes each request (a new name per request for 4 KiB objects; for
  16 MiB objects four names per wrk thread, overwritten in turn, so the disk holds a few
  hundred MiB at most), with an X-Timestamp of its own when sent to an object server directly.
  Every PUT writes, fsyncs and renames a data file, on both sides.
- Proxy scenarios: proxy, account, container and object servers with the same workers count,
  rings with one device and one replica (Swift's RingBuilder, bench/swift_rings.py), a private
  memcached for tempauth's tokens (Swift's tempauth needs one; both proxies use it), a token
  from \`GET /auth/v1.0\` (test:tester), then the container \`bench\` and the objects to GET.
  A PUT through the proxy also updates the container database, synchronously, on both sides.
- Large objects: throughput is requests/s times the object size.
- Startup: median of ${input.startupSamples} starts per implementation and workers count, from
  the spawn of the process to the first 200 on a fresh connection (polled every 2 ms); one
  unmeasured start first warms the page cache and Deno's and Python's compile caches.
- Memory: VmRSS from /proc/PID/status of the parent and of each worker (the parent's children)
  after the last load of the server; for the proxy scenarios, of the proxy, and the sum over
  every process of the four servers. RSS counts pages a worker shares with its parent (Swift
  forks, so much of its interpreter is shared; swiftd's workers are separate processes).

Caveats: wrk runs on the same ${input.machine.cores} cores as the servers it loads, and so do
any other processes on the machine (see the load average below): the absolute numbers are
lower and noisier than on a dedicated machine, for both sides, which is why the bench reports
ratios measured in the same run, rounds interleaved. Both log each request to syslog over UDP
(\`log_udp_host\` in the configs), so both pay the same for their access log lines.${
    busyNote(input.machine)
  }

## Machine

${machineTable(input.machine)}

## Exact commands

\`\`\`sh
${commands(input)}
\`\`\`

The configs, the same files for both implementations:

${sampleConfigs(input).trimEnd()}
`;
}
