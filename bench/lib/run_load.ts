/**
 * A load scenario: for each workers count and implementation, start the server, run the setup
 * requests, check the load request answers as expected, then per connection count a wrk
 * warm-up and a measured wrk run; RSS of the parent and each worker is read after the load.
 */
import { request } from "./http_client.ts";
import type { Implementation } from "./implementations.ts";
import { childrenOf, rssKiB } from "./procfs.ts";
import { type RunContext, sleep, startServer } from "./run_context.ts";
import type { LoadScenario, LoadSpec, SetupStep } from "./scenarios.ts";
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
  readonly parentKiB: number;
  readonly workerKiB: readonly number[];
}

/** How often setup re-sends an everyWorker step before giving up. */
const SETUP_ATTEMPTS = 20;

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

/**
 * Sends the load request on `count` fresh connections at once; returns how the answers differ
 * from the expected status and body size, or undefined if all are right.
 */
async function wrongAnswers(
  port: number,
  load: LoadSpec,
  count: number,
): Promise<string | undefined> {
  const spec = { method: load.method ?? "GET", path: load.path, headers: load.headers };
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
  options: { load: LoadSpec; workers: number },
): Promise<void> {
  const attempts = step.everyWorker ? SETUP_ATTEMPTS : 1;
  // Concurrent fresh connections spread over the workers: accept() races in Swift,
  // SO_REUSEPORT hashing in swiftd.
  const copies = step.everyWorker ? 4 * options.workers : 1;
  let wrong: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answers = await Promise.all(
      Array.from({ length: copies }, () => request(port, step.request())),
    );
    const bad = answers.find((answer) => !step.ok.includes(answer.status));
    if (bad) {
      const spec = step.request();
      throw new Error(`Setup ${spec.method} ${spec.path} answered ${bad.status}`);
    }
    if (!step.everyWorker) return;
    wrong = await wrongAnswers(port, options.load, 8 * options.workers);
    if (!wrong) return;
  }
  throw new Error(`Setup did not reach every worker in ${attempts} attempts: ${wrong}`);
}

async function measureOne(
  ctx: RunContext,
  scenario: LoadScenario,
  options: { impl: Implementation; workers: number; round: number },
): Promise<{ loads: LoadResult[]; rss: RssResult }> {
  const { server } = startServer(ctx, scenario, options);
  try {
    await server.waitListening(options.workers);
    await untilAnswered(server.port, scenario.load.path);
    for (const step of scenario.setup) {
      await runSetupStep(server.port, step, { load: scenario.load, workers: options.workers });
    }
    const wrong = await wrongAnswers(server.port, scenario.load, 8 * options.workers);
    if (wrong) throw new Error(wrong);
    const loads: LoadResult[] = [];
    for (const connections of scenario.connections) {
      if (wasInterrupted()) break;
      const wrk = {
        threads: ctx.wrkThreads,
        connections,
        timeoutSeconds: ctx.timeoutSeconds,
        scratchDir: ctx.root,
      };
      await runWrk(server.port, scenario.load, { ...wrk, seconds: ctx.warmupSeconds });
      const result = await runWrk(server.port, scenario.load, { ...wrk, seconds: ctx.seconds });
      ctx.log(
        `  ${options.impl.name.padEnd(6)} workers=${options.workers} c=${connections}: ` +
          `${result.requestsPerSecond.toFixed(0)} req/s, p99 ${
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
    const workers = childrenOf(server.pid).map((child) => rssKiB(child.pid) ?? 0);
    const rss = {
      round: options.round,
      scenario: scenario.name,
      impl: options.impl.name,
      workers: options.workers,
      parentKiB: rssKiB(server.pid) ?? 0,
      workerKiB: workers,
    };
    return { loads, rss };
  } catch (err) {
    throw new Error(
      `${options.impl.name} (${scenario.name}, workers=${options.workers}): ${
        (err as Error).message
      }` +
        (server.stderrTail ? `\nIts stderr:\n${server.stderrTail}` : ""),
    );
  } finally {
    await server.stop();
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
