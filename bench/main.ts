/**
 * `deno task bench`: swiftd against real Swift, measured in the same run on the same config,
 * reported as ratios. Runs every scenario of lib/scenarios.ts, prints the table and, after a
 * full run, rewrites docs/benchmarks.md. Every process it starts is stopped on exit, on
 * failure and on Ctrl-C.
 */
import { parseArgs } from "@std/cli/parse-args";
import { fromFileUrl, resolve } from "@std/path";
import { userInfo } from "node:os";
import { benchmarksDoc } from "./lib/benchmarks_doc.ts";
import { formatMarkdown } from "../tests/_helpers/format_markdown.ts";
import { installSignalHandlers, stopAll } from "./lib/cleanup.ts";
import { measureDisk } from "./lib/dd.ts";
import { DEFAULT_SWIFTD, type Implementation, swift, swiftd } from "./lib/implementations.ts";
import { memcachedAvailable } from "./lib/memcached.ts";
import { describeMachine, loadAverage } from "./lib/machine.ts";
import { markdownTable, type Results, rowsOf } from "./lib/report.ts";
import type { RunContext } from "./lib/run_context.ts";
import { runLoadScenario } from "./lib/run_load.ts";
import { runStartupScenario } from "./lib/run_startup.ts";
import { type Scenario, SCENARIOS } from "./lib/scenarios.ts";
import { wrkAvailable } from "./lib/wrk.ts";

const USAGE = `Usage: deno task bench [--quick] [--only NAME[,NAME]] [--swiftd PATH]
                       [--python PATH] [--duration SECONDS] [--rounds N] [--out FILE]

Runs each scenario under real Swift and swiftd with the same config and load, and prints
both values and the ratio swiftd/Swift. A full run (no --quick, no --only) rewrites
docs/benchmarks.md.

  --quick            short runs (1 round, 1 s warm-up, 2 s load, 3 starts): a smoke test
  --only NAMES       only these scenarios (${SCENARIOS.map((s) => s.name).join(", ")})
  --swiftd PATH      swiftd to run: a main.ts (run with deno run) or a compiled binary
                     (default: ${DEFAULT_SWIFTD})
  --python PATH      Python with Swift installed (default: /usr/bin/python3)
  --duration SECS    seconds of each measured wrk run (default: 10)
  --rounds N         times each load scenario runs; the report shows medians (default: 3)
  --out FILE         write the markdown report to FILE (default after a full run:
                     docs/benchmarks.md)`;

const DOC = fromFileUrl(new URL("../docs/benchmarks.md", import.meta.url));

/** A whole number > 0 from option `name`, or undefined if absent; exits on anything else. */
function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (Number.isInteger(value) && value > 0) return value;
  console.error(`${name} must be a whole number > 0: current value is "${text}"`);
  Deno.exit(2);
}

/** The bench's settings from argv; exits on --help or a usage error. */
function parseOptions(args: string[]) {
  const flags = parseArgs(args, {
    boolean: ["quick", "help"],
    string: ["only", "swiftd", "python", "duration", "rounds", "out"],
    default: { python: "/usr/bin/python3" },
    unknown: (arg) => {
      console.error(`Unknown option "${arg}"\n\n${USAGE}`);
      Deno.exit(2);
    },
  });
  if (flags.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const only = flags.only?.split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of only ?? []) {
    if (!SCENARIOS.some((s) => s.name === name)) {
      console.error(`Unknown scenario "${name}": known are ${SCENARIOS.map((s) => s.name)}`);
      Deno.exit(2);
    }
  }
  const duration = wholeNumber("--duration", flags.duration);
  const rounds = wholeNumber("--rounds", flags.rounds);
  const full = !flags.quick && !only && duration === undefined && rounds === undefined;
  return {
    quick: flags.quick,
    only,
    swiftd: resolve(flags.swiftd ?? DEFAULT_SWIFTD),
    python: flags.python,
    seconds: duration ?? (flags.quick ? 2 : 10),
    rounds: rounds ?? (flags.quick ? 1 : 3),
    out: flags.out ? resolve(flags.out) : full ? DOC : undefined,
  };
}

async function checkTools(python: string, needMemcached: boolean): Promise<void> {
  if (!(await wrkAvailable())) {
    console.error("wrk is not installed: install it with `apt-get install -y wrk` (Debian).");
    Deno.exit(1);
  }
  if (needMemcached && !(await memcachedAvailable())) {
    console.error(
      "memcached is not installed (Swift's tempauth needs it): install it with " +
        "`apt-get install -y memcached` (Debian), or leave out the proxy-* scenarios.",
    );
    Deno.exit(1);
  }
  const probe = await new Deno.Command(python, {
    args: ["-c", "import swift.common.wsgi"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!probe?.success) {
    console.error(
      `${python} cannot import swift: install Debian's Swift with ` +
        "`apt-get install -y swift swift-object swift-proxy swift-account swift-container`, " +
        "or pass --python.",
    );
    Deno.exit(1);
  }
}

/**
 * dd's baseline when a scenario compares with it, then every load scenario `ctx.rounds` times
 * (rounds outermost, so drift hits all alike), then startups.
 */
async function runAll(ctx: RunContext, chosen: readonly Scenario[]): Promise<Results> {
  const results = { loads: [], rss: [], startups: [] } as
    & {
      -readonly [K in Exclude<keyof Results, "disk">]: Results[K][number][];
    }
    & { disk?: Results["disk"] };
  if (chosen.some((s) => s.kind === "load" && s.dd)) {
    results.disk = await measureDisk(ctx.root);
    ctx.log(
      `dd on the bench's disk: writes ${results.disk.writeMiBs.toFixed(0)} MiB/s, ` +
        `reads ${results.disk.readMiBs.toFixed(0)} MiB/s`,
    );
  }
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const scenario of chosen) {
      if (scenario.kind !== "load") continue;
      const { loads, rss } = await runLoadScenario(ctx, scenario, round);
      results.loads.push(...loads);
      results.rss.push(...rss);
    }
  }
  for (const scenario of chosen) {
    if (scenario.kind === "startup") {
      results.startups.push(...await runStartupScenario(ctx, scenario));
    }
  }
  return results;
}

const BUSY_LOAD = 0.5;

/** Warns when other work already uses the CPU: both sides' numbers would drop, unevenly. */
function warnIfBusy(load: string): void {
  const oneMinute = Number(load.split(" ")[0]);
  if (oneMinute > BUSY_LOAD * navigator.hardwareConcurrency) {
    console.error(
      `Warning: load average is ${load} on ${navigator.hardwareConcurrency} cores before the ` +
        `bench starts; other processes will skew the results.`,
    );
  }
}

async function main(): Promise<number> {
  const options = parseOptions(Deno.args);
  const chosen = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name));
  await checkTools(options.python, chosen.some((s) => s.kind === "load" && s.memcached));
  const loadBefore = loadAverage();
  warnIfBusy(loadBefore);
  const root = Deno.makeTempDirSync({ prefix: "swiftd-bench-" });
  const removeRoot = () => Deno.removeSync(root, { recursive: true });
  installSignalHandlers(removeRoot);
  const implementations: Implementation[] = [swift(options.python), swiftd(options.swiftd)];
  const ctx: RunContext = {
    implementations,
    root,
    user: userInfo().username,
    python: options.python,
    wrkThreads: 2,
    warmupSeconds: options.quick ? 1 : 2,
    seconds: options.seconds,
    timeoutSeconds: 5,
    rounds: options.rounds,
    startupSamples: options.quick ? 3 : 5,
    log: (line) => console.error(line),
  };
  try {
    const results = await runAll(ctx, chosen);
    const rows = rowsOf(results, chosen);
    console.log(`\n${markdownTable(rows)}\n`);
    if (options.out) {
      const machine = await describeMachine({ ...options, loadBefore });
      Deno.writeTextFileSync(
        options.out,
        benchmarksDoc({
          rows,
          machine,
          scenarios: chosen,
          disk: results.disk,
          implementations,
          command: Deno.args.join(" "),
          wrk: {
            threads: ctx.wrkThreads,
            seconds: ctx.seconds,
            warmupSeconds: ctx.warmupSeconds,
            timeoutSeconds: ctx.timeoutSeconds,
          },
          startupSamples: ctx.startupSamples,
          rounds: ctx.rounds,
          tempRoot: root,
          user: ctx.user,
        }),
      );
      await formatMarkdown(options.out);
      console.error(`Wrote ${options.out}`);
    }
    return 0;
  } catch (err) {
    console.error(`\nBench failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await stopAll(2_000);
    removeRoot();
  }
}

if (import.meta.main) Deno.exit(await main());
