/**
 * The supervisor's event queue. Signal listeners and child watchers only push events here;
 * one loop takes them off in order, so no handler ever runs in the middle of another.
 */
import type { WorkerProcess } from "./worker.ts";

/** The signals the supervisor acts on. */
export const SUPERVISED_SIGNALS = [
  "SIGTERM",
  "SIGHUP",
  "SIGINT",
  "SIGUSR1",
  "SIGTTIN",
  "SIGTTOU",
] as const satisfies readonly Deno.Signal[];

/** One of SUPERVISED_SIGNALS. */
export type SupervisedSignal = typeof SUPERVISED_SIGNALS[number];

/** Something the supervisor loop must react to. */
export type SupervisorEvent =
  | { readonly kind: "signal"; readonly signal: SupervisedSignal }
  | { readonly kind: "ready"; readonly worker: WorkerProcess }
  | { readonly kind: "boot-failed"; readonly worker: WorkerProcess; readonly message: string }
  | { readonly kind: "exit"; readonly worker: WorkerProcess; readonly status: Deno.CommandStatus }
  | { readonly kind: "timer"; readonly name: string }
  | { readonly kind: "done"; readonly name: string };

/** An unbounded FIFO of events with one consumer. */
export class EventQueue {
  readonly #items: SupervisorEvent[] = [];
  #wake?: () => void;

  /** Adds an event; never blocks. */
  push(event: SupervisorEvent): void {
    this.#items.push(event);
    this.#wake?.();
    this.#wake = undefined;
  }

  /** The next event, waiting for one if needed. */
  async next(): Promise<SupervisorEvent> {
    while (this.#items.length === 0) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    return this.#items.shift()!;
  }

  /** Pushes a timer event after `ms`; returns a function that cancels it. */
  after(ms: number, name: string): () => void {
    const timer = setTimeout(() => this.push({ kind: "timer", name }), ms);
    return () => clearTimeout(timer);
  }
}

/** Turns each supervised signal into a queue event; returns a function that stops listening. */
export function listenSignals(queue: EventQueue): () => void {
  const listeners = SUPERVISED_SIGNALS.map((signal) => {
    const listener = () => queue.push({ kind: "signal", signal });
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  return () => listeners.forEach((remove) => remove());
}
