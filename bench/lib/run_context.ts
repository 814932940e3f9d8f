/**
 * What every measurement shares: the implementations, the temp directory, wrk's settings, and
 * how one server is started from a scenario's config (a fresh port and directory each time).
 */
import { join } from "@std/path";
import type { Implementation } from "./implementations.ts";
import type { ConfigContext, Scenario } from "./scenarios.ts";
import { ServerProcess } from "./server_process.ts";
import { freePort } from "./sockets.ts";

/** Settings of one bench run. */
export interface RunContext {
  readonly implementations: readonly Implementation[];
  /** Temp directory of this run; removed at exit. */
  readonly root: string;
  readonly user: string;
  readonly wrkThreads: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly timeoutSeconds: number;
  /** Times each load scenario is run; the report takes the median of the rounds. */
  readonly rounds: number;
  /** Measured starts per implementation and workers count (one unmeasured start first). */
  readonly startupSamples: number;
  /** Progress lines go here. */
  readonly log: (line: string) => void;
}

/** A started server and where its config is. */
export interface StartedServer {
  readonly server: ServerProcess;
  readonly conf: string;
  readonly configText: string;
}

let serial = 0;

/** Writes the scenario's config for `workers` on a free port and starts `impl` on it. */
export function startServer(
  ctx: RunContext,
  scenario: Scenario,
  options: { impl: Implementation; workers: number },
): StartedServer {
  const dir = join(ctx.root, `${++serial}-${scenario.name}-${options.impl.name}`);
  Deno.mkdirSync(dir, { recursive: true });
  const config: ConfigContext = {
    port: freePort(),
    workers: options.workers,
    runDir: join(dir, "run"),
    user: ctx.user,
  };
  const configText = scenario.config(config);
  const conf = join(dir, `${scenario.server}.conf`);
  Deno.writeTextFileSync(conf, configText);
  const argv = options.impl.command(scenario.server, conf);
  const server = ServerProcess.start(argv, { port: config.port, cwd: dir });
  return { server, conf, configText };
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
