/**
 * A startup scenario: the time from spawning the server to the first expected answer of the
 * probe request on a fresh connection, as a user starting the service would see it. One
 * unmeasured start per implementation first fills the page cache and compile caches (Deno's
 * transpiled modules, Python's .pyc files), which a deployed server has as well.
 */
import { wasInterrupted } from "./cleanup.ts";
import { request } from "./http_client.ts";
import type { Implementation } from "./implementations.ts";
import { type RunContext, sleep, startDeployment } from "./run_context.ts";
import type { StartupScenario } from "./scenarios.ts";
import { median } from "./stats.ts";

/** The start times measured for one implementation and workers count. */
export interface StartupResult {
  readonly scenario: string;
  readonly impl: string;
  readonly workers: number;
  readonly samplesMs: readonly number[];
}

const POLL_MS = 2;
const STARTUP_TIMEOUT_MS = 60_000;

async function timeOneStart(
  ctx: RunContext,
  scenario: StartupScenario,
  options: { impl: Implementation; workers: number },
): Promise<number> {
  const deployment = await startDeployment(ctx, scenario, options);
  const server = deployment.entry;
  try {
    for (;;) {
      try {
        const answer = await request(server.port, { method: "GET", path: scenario.probe });
        if (answer.status === scenario.expect) return performance.now() - server.startedAt;
      } catch {
        // Connection refused: nothing listens yet.
      }
      if (!server.running) throw new Error(`It exited while starting:\n${server.stderrTail}`);
      if (performance.now() - server.startedAt > STARTUP_TIMEOUT_MS) {
        throw new Error(`No ${scenario.expect} from ${scenario.probe} in ${STARTUP_TIMEOUT_MS} ms`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    await deployment.stop();
  }
}

/** Runs `scenario`: per workers count, starts alternate between the implementations. */
export async function runStartupScenario(
  ctx: RunContext,
  scenario: StartupScenario,
): Promise<StartupResult[]> {
  const results: StartupResult[] = [];
  for (const workers of scenario.workers) {
    const samples = new Map<Implementation, number[]>(ctx.implementations.map((i) => [i, []]));
    for (let round = 0; round <= ctx.startupSamples; round++) {
      for (const impl of ctx.implementations) {
        if (wasInterrupted()) return results;
        const ms = await timeOneStart(ctx, scenario, { impl, workers });
        if (round > 0) samples.get(impl)!.push(ms);
      }
    }
    for (const [impl, samplesMs] of samples) {
      ctx.log(
        `${scenario.name}: ${impl.name.padEnd(6)} workers=${workers}: median ` +
          `${median(samplesMs).toFixed(0)} ms of ${
            samplesMs.map((ms) => ms.toFixed(0)).join(", ")
          }`,
      );
      results.push({ scenario: scenario.name, impl: impl.name, workers, samplesMs });
    }
  }
  return results;
}
