/**
 * Runs wrk (Debian's `wrk` package) against one server and reads its report: requests per
 * second, the latency distribution (--latency) and every kind of failed request.
 */
import { join } from "@std/path";
import { track } from "./cleanup.ts";
import type { LoadSpec } from "./scenarios.ts";

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSecond: number;
  /** Latency percentiles in milliseconds (50, 75, 90, 99). */
  readonly latencyMs: Readonly<Record<"p50" | "p75" | "p90" | "p99", number>>;
  readonly requests: number;
  /** Answers that were not 2xx or 3xx. */
  readonly non2xx: number;
  readonly socketErrors: Readonly<Record<"connect" | "read" | "write" | "timeout", number>>;
}

/** How to run wrk. */
export interface WrkOptions {
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
  /** wrk's per-request timeout; slower answers count as timeouts, not latency. */
  readonly timeoutSeconds: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function number(text: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`wrk printed no ${what}:\n${text}`);
  return Number(match[1]);
}

function duration(text: string, percentile: number): number {
  const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, "m").exec(text);
  if (!match) {
    throw new Error(`wrk printed no ${percentile}% latency (run with --latency):\n${text}`);
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Parses the report `wrk --latency` prints. */
export function parseWrk(text: string): WrkResult {
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requestsPerSecond: number(text, /^Requests\/sec:\s+([\d.]+)/m, "Requests/sec"),
    latencyMs: {
      p50: duration(text, 50),
      p75: duration(text, 75),
      p90: duration(text, 90),
      p99: duration(text, 99),
    },
    requests: number(text, /^\s+(\d+) requests in /m, "request count"),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
  };
}

/** Failed requests of a run: non-2xx answers plus socket errors. */
export function failures(result: WrkResult): number {
  const e = result.socketErrors;
  return result.non2xx + e.connect + e.read + e.write + e.timeout;
}

/** Whether `wrk` runs here; false if it is not installed. */
export async function wrkAvailable(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return true;
  } catch {
    return false;
  }
}

/** The wrk argv for `load` on `port` (a Lua script only when the method is not GET). */
export function wrkArgs(port: number, load: LoadSpec, options: WrkOptions, script?: string) {
  return [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    `--timeout`,
    `${options.timeoutSeconds}s`,
    "--latency",
    ...Object.entries(load.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    ...(script ? ["-s", script] : []),
    `http://127.0.0.1:${port}${load.path}`,
  ];
}

/** Runs wrk with `options` against `port` and parses its report. */
export async function runWrk(
  port: number,
  load: LoadSpec,
  options: WrkOptions & { readonly scratchDir: string },
): Promise<WrkResult> {
  let script: string | undefined;
  if (load.method && load.method !== "GET") {
    script = join(options.scratchDir, "method.lua");
    Deno.writeTextFileSync(script, `wrk.method = ${JSON.stringify(load.method)}\n`);
  }
  const child = new Deno.Command("wrk", {
    args: wrkArgs(port, load, options, script),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tracking = track({
    stop: async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
    },
  });
  try {
    const output = await child.output();
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(`wrk failed (${output.code}): ${new TextDecoder().decode(output.stderr)}`);
    }
    return parseWrk(text);
  } finally {
    tracking.release();
  }
}
