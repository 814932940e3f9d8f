/**
 * A load scenario: for each workers count and implementation, start the servers, run the setup
 * requests, check the load request answers as expected, then per connection count a wrk
 * warm-up and a measured wrk run; RSS of every process is read after the load.
 */
import { request, type RequestSpec } from "./http_client.ts";
import type { Implementation } from "./implementations.ts";
import { childrenOf, rssKiB } from "./procfs.ts";
import { type Deployment, type RunContext, sleep, startDeployment } from "./run_context.ts";
import type { LoadScenario, LoadSpec, SetupStep, Vars } from "./scenarios.ts";
import { wasInterrupted } from "./cleanup.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

/** One measured wrk run. */
export interface LoadResult {
  readonly round: number;
  readonly scenario: string;
  readonly impl: string;
  readonly workers: number;
  readonly connections: number;
  readonly wrk: WrkResult;
}

/** Resident memory after the load, in KiB. */
export interface RssResult {
  readonly round: number;
  readonly scenario: string;
  readonly impl: string;
  readonly workers: number;
  /** The loaded server's parent and its workers. */
  readonly parentKiB: number;
  readonly workerKiB: readonly number[];
  /** Every process of every server of the scenario (a cluster's total). */
  readonly totalKiB: number;
  /** How many servers that total covers. */
  readonly servers: number;
}

/** How often setup re-sends an everyWorker step before giving up. */
const SETUP_ATTEMPTS = 20;
/** Bodies above this size are checked with two requests, not one per connection tried. */
const LARGE_BODY = 1024 * 1024;

async function untilAnswered(port: number, path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await request(port, { method: "GET", path });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

/** The load's request as the setup and the checks send it. */
function loadRequest(load: LoadSpec, vars: Vars): RequestSpec {
  return { method: "GET", path: load.path, headers: load.headers?.(vars) };
}

/**
 * Sends the load request on `count` fresh connections at once; returns how the answers differ
 * from the expected status and body size, or undefined if all are right.
 */
async function wrongAnswers(
  port: number,
  load: LoadSpec,
  options: { count: number; vars: Vars },
): Promise<string | undefined> {
  const spec = loadRequest(load, options.vars);
  const count = (load.bytes ?? 0) > LARGE_BODY ? 2 : options.count;
  const answers = await Promise.all(Array.from({ length: count }, () => request(port, spec)));
  const wrong = answers.filter((answer) =>
    answer.status !== load.expect || (load.bytes !== undefined && answer.bytes !== load.bytes)
  );
  if (wrong.length === 0) return undefined;
  return `${wrong.length} of ${count} answers to ${spec.method} ${load.path} were ` +
    `${wrong.map((a) => `${a.status} (${a.bytes} bytes)`).join(", ")}; expected ${load.expect}` +
    (load.bytes === undefined ? "" : ` with ${load.bytes} bytes`);
}

async function runSetupStep(
  port: number,
  step: SetupStep,
  options: { load: LoadSpec; workers: number; vars: Record<string, string> },
): Promise<void> {
  const attempts = step.everyWorker ? SETUP_ATTEMPTS : 1;
  // Concurrent fresh connections spread over the workers: accept() races in Swift,
  // SO_REUSEPORT hashing in swiftd.
  const copies = step.everyWorker ? 4 * options.workers : 1;
  let wrong: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answers = await Promise.all(
      Array.from({ length: copies }, () => request(port, step.request(options.vars))),
    );
    const bad = answers.find((answer) => !step.ok.includes(answer.status));
    if (bad) {
      const spec = step.request(options.vars);
      throw new Error(`Setup ${spec.method} ${spec.path} answered ${bad.status}`);
    }
    for (const [name, header] of Object.entries(step.capture ?? {})) {
      const value = answers[0].headers[header.toLowerCase()];
      if (value === undefined) throw new Error(`Setup answer had no ${header} header`);
      options.vars[name] = value;
    }
    if (!step.everyWorker) return;
    wrong = await wrongAnswers(port, options.load, {
      count: 8 * options.workers,
      vars: options.vars,
    });
    if (!wrong) return;
  }
  throw new Error(`Setup did not reach every worker in ${attempts} attempts: ${wrong}`);
}

/** VmRSS of the loaded server's processes and of every process of the deployment. */
function memoryOf(deployment: Deployment) {
  const entry = deployment.entry;
  const workerKiB = childrenOf(entry.pid).map((child) => rssKiB(child.pid) ?? 0);
  let totalKiB = 0;
  for (const server of deployment.servers) {
    totalKiB += rssKiB(server.pid) ?? 0;
    for (const child of childrenOf(server.pid)) totalKiB += rssKiB(child.pid) ?? 0;
  }
  return {
    parentKiB: rssKiB(entry.pid) ?? 0,
    workerKiB,
    totalKiB,
    servers: deployment.servers.length,
  };
}

async function measureOne(
  ctx: RunContext,
  scenario: LoadScenario,
  options: { impl: Implementation; workers: number; round: number },
): Promise<{ loads: LoadResult[]; rss: RssResult }> {
  const deployment = await startDeployment(ctx, scenario, options);
  const port = deployment.entry.port;
  try {
    // A cluster's four servers start at once, each importing its modules: on a busy machine
    // that takes Swift longer than the 30 s a single server is given.
    const timeoutMs = 30_000 * deployment.servers.length;
    await Promise.all(
      deployment.servers.map((server) => server.waitListening(options.workers, timeoutMs)),
    );
    await untilAnswered(port, "/healthcheck");
    const vars: Record<string, string> = {};
    for (const step of scenario.setup) {
      await runSetupStep(port, step, { load: scenario.load, workers: options.workers, vars });
    }
    if (!scenario.load.put) {
      const wrong = await wrongAnswers(port, scenario.load, { count: 8 * options.workers, vars });
      if (wrong) throw new Error(wrong);
    }
    const headers = scenario.load.headers?.(vars);
    const loads: LoadResult[] = [];
    for (const connections of scenario.connections) {
      if (wasInterrupted()) break;
      const wrk = {
        threads: ctx.wrkThreads,
        connections,
        timeoutSeconds: ctx.timeoutSeconds,
        scratchDir: ctx.root,
        headers,
      };
      await runWrk(port, scenario.load, { ...wrk, seconds: ctx.warmupSeconds });
      const result = await runWrk(port, scenario.load, { ...wrk, seconds: ctx.seconds });
      const mibs = scenario.throughputBytes
        ? `, ${(result.requestsPerSecond * scenario.throughputBytes / 2 ** 20).toFixed(0)} MiB/s`
        : "";
      ctx.log(
        `  ${options.impl.name.padEnd(6)} workers=${options.workers} c=${connections}: ` +
          `${result.requestsPerSecond.toFixed(0)} req/s${mibs}, p99 ${
            result.latencyMs.p99.toFixed(2)
          } ms` +
          (result.non2xx ? `, ${result.non2xx} non-2xx` : ""),
      );
      loads.push({
        round: options.round,
        scenario: scenario.name,
        impl: options.impl.name,
        workers: options.workers,
        connections,
        wrk: result,
      });
    }
    const rss = {
      round: options.round,
      scenario: scenario.name,
      impl: options.impl.name,
      workers: options.workers,
      ...memoryOf(deployment),
    };
    return { loads, rss };
  } catch (err) {
    throw new Error(
      `${options.impl.name} (${scenario.name}, workers=${options.workers}): ${
        (err as Error).message
      }` +
        (deployment.stderrTail ? `\nIts stderr:\n${deployment.stderrTail}` : ""),
    );
  } finally {
    await deployment.stop();
  }
}

/** Runs round `round` of `scenario` under every implementation and workers count. */
export async function runLoadScenario(
  ctx: RunContext,
  scenario: LoadScenario,
  round: number,
): Promise<{ loads: LoadResult[]; rss: RssResult[] }> {
  const loads: LoadResult[] = [];
  const rss: RssResult[] = [];
  for (const workers of scenario.workers) {
    for (const impl of ctx.implementations) {
      if (wasInterrupted()) return { loads, rss };
      ctx.log(`${scenario.name} (round ${round}): ${impl.name}, ${workers} worker(s)`);
      const result = await measureOne(ctx, scenario, { impl, workers, round });
      loads.push(...result.loads);
      rss.push(result.rss);
    }
  }
  return { loads, rss };
}
