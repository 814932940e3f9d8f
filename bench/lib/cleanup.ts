/**
 * Every process the bench starts is registered here until it is reaped, so Ctrl-C (SIGINT) or
 * SIGTERM stops them all before the bench exits: no orphaned worker keeps a port.
 */

/** Something that can be stopped: a server or a wrk run. */
export interface Stoppable {
  /** Stops the process and everything it started; resolves when they are gone. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const live = new Set<Stoppable>();
let interrupted = false;

/** Registers `process` until `release()` is called. */
export function track(process: Stoppable): { release(): void } {
  live.add(process);
  return { release: () => live.delete(process) };
}

/** Whether a signal asked the bench to stop (loops check it between steps). */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Stops every tracked process; used on interrupts and when the bench fails. */
export async function stopAll(graceMs: number): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((process) => process.stop({ graceMs })));
}

/**
 * On SIGINT or SIGTERM: stop what runs (SIGKILL after a short grace), call `afterStop` (to
 * remove the temp directory the servers used), then exit 130.
 */
export function installSignalHandlers(afterStop: () => void): void {
  const onSignal = async (name: Deno.Signal) => {
    if (interrupted) return; // A second Ctrl-C while stopping changes nothing.
    interrupted = true;
    console.error(`\n${name}: stopping ${live.size} process(es) started by the bench...`);
    await stopAll(2_000);
    afterStop();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
}
