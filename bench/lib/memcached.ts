/**
 * A private memcached for one measurement: Swift's tempauth keeps its tokens there (it refuses
 * to run without one), and both proxies are configured to use it, so both pay for the same
 * lookups. Each measurement gets a fresh one, stopped with the servers.
 */
import { track } from "./cleanup.ts";

/** A running memcached. */
export interface Memcached {
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether `memcached` runs here. */
export async function memcachedAvailable(): Promise<boolean> {
  try {
    await new Deno.Command("memcached", { args: ["-h"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts memcached on `port` of 127.0.0.1 (64 MiB, one thread, no UDP). */
export async function startMemcached(port: number): Promise<Memcached> {
  const child = new Deno.Command("memcached", {
    args: ["-l", "127.0.0.1", "-p", String(port), "-U", "0", "-m", "64", "-t", "1", "-u", "root"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
      tracking.release();
    })();
    return stopping;
  };
  const tracking = track({ stop });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`memcached did not listen on port ${port} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, stop };
}
