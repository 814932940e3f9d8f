/**
 * What every measurement shares: the implementations, the temp directory, wrk's settings, and
 * how the servers of a scenario are started (fresh ports, directory, swift.conf, rings and
 * memcached each time) and stopped (with everything they wrote on disk).
 */
import { join } from "@std/path";
import { type Implementation, writeRings, writeSwiftDir } from "./implementations.ts";
import { type Memcached, startMemcached } from "./memcached.ts";
import type { ConfigContext, Scenario, ServerName } from "./scenarios.ts";
import { ServerProcess } from "./server_process.ts";

/** Settings of one bench run. */
export interface RunContext {
  readonly implementations: readonly Implementation[];
  /** Temp directory of this run; removed at exit. */
  readonly root: string;
  readonly user: string;
  /** Python with Swift (builds the rings). */
  readonly python: string;
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

/** The servers of one measurement, the first one being the one loaded. */
export class Deployment {
  readonly servers: readonly ServerProcess[];
  readonly #dir: string;
  readonly #memcached?: Memcached;

  constructor(servers: ServerProcess[], dir: string, memcached?: Memcached) {
    this.servers = servers;
    this.#dir = dir;
    this.#memcached = memcached;
  }

  /** The server that gets the load. */
  get entry(): ServerProcess {
    return this.servers[0];
  }

  /** Stderr of every server, for error messages. */
  get stderrTail(): string {
    return this.servers.map((s) => s.stderrTail).filter(Boolean).join("\n");
  }

  /** Stops every server and memcached, then removes what they wrote (objects, databases). */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    await this.#memcached?.stop();
    Deno.removeSync(this.#dir, { recursive: true });
  }
}

let serial = 0;

/** Where deploymentPorts() picks: below Linux's default ephemeral range (32768-60999). */
const PORT_RANGE = { low: 20_000, high: 32_767 } as const;

/**
 * `count` distinct ports nothing listens on now. Not bind(:0)'s ports: those are ephemeral,
 * and between the pick and the server's bind any outgoing connection on the machine (wrk, a
 * proxy's backend requests, other processes) may take one, after which Swift retries its
 * bind for 30 s and the measurement fails; nor the same port twice in one deployment, which
 * separate bind(:0) calls can return since nothing holds the port in between.
 */
function deploymentPorts(count: number): number[] {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = PORT_RANGE.low +
      Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1));
    if (ports.has(port)) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      ports.add(port);
    } catch {
      // In use: pick another.
    }
  }
  return [...ports];
}

const RING_OF: Partial<Record<ServerName, "account" | "container" | "object">> = {
  "account-server": "account",
  "container-server": "container",
  "object-server": "object",
};

/**
 * Writes each server's config for `workers` on a free port, swift.conf (and rings, memcached
 * when the scenario asks) in a fresh directory, and starts `impl`'s servers on them.
 */
export async function startDeployment(
  ctx: RunContext,
  scenario: Scenario,
  options: { impl: Implementation; workers: number },
): Promise<Deployment> {
  const dir = join(ctx.root, `${++serial}-${scenario.name}-${options.impl.name}`);
  const swiftDir = join(dir, "etc");
  const devices = join(dir, "node");
  Deno.mkdirSync(join(devices, "sda1"), { recursive: true });
  writeSwiftDir(swiftDir);
  const [memcachePort, ...ports] = deploymentPorts(scenario.servers.length + 1);
  if (scenario.kind === "load" && scenario.rings) {
    const ringPorts: Record<string, number> = {};
    scenario.servers.forEach((spec, i) => {
      const ring = RING_OF[spec.server];
      if (ring) ringPorts[ring] = ports[i];
    });
    await writeRings(ctx.python, swiftDir, ringPorts);
  }
  const memcached = scenario.kind === "load" && scenario.memcached
    ? await startMemcached(memcachePort)
    : undefined;
  const servers = scenario.servers.map((spec, i) => {
    const config: ConfigContext = {
      port: ports[i],
      workers: options.workers,
      runDir: join(dir, "run"),
      user: ctx.user,
      swiftDir,
      devices,
      memcachePort: memcached?.port,
    };
    const conf = join(dir, `${spec.server}.conf`);
    Deno.writeTextFileSync(conf, spec.config(config));
    const argv = options.impl.command(spec.server, conf, swiftDir);
    return ServerProcess.start(argv, { port: ports[i], cwd: dir });
  });
  return new Deployment(servers, dir, memcached);
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
