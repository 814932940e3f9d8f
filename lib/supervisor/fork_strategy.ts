/**
 * workers >= 1: a generation of worker processes per config. Dead workers are replaced
 * (with exponential backoff when they keep failing to boot); a reload starts a whole new
 * generation and drains the old one only once every new worker serves; drains are bounded
 * by graceful_shutdown_timeout, after which stragglers get SIGKILL.
 */
import type { EventQueue, SupervisorEvent } from "./events.ts";
import type { Prepared } from "./prepare.ts";
import type { Strategy, StrategyHost } from "./strategy.ts";
import type { WorkerHello } from "./protocol.ts";
import { WorkerProcess } from "./worker.ts";

/** Longest wait between attempts to replace a worker that keeps failing to boot. */
const MAX_BACKOFF_MS = 30_000;
/** How long a SIGTERM'd worker may take to die before SIGKILL. */
const TERMINATE_GRACE_MS = 2_000;

interface Generation {
  readonly number: number;
  readonly prepared: Prepared;
  desired: number;
}

type Phase = "starting" | "running" | "draining" | "terminating";

/** Runs the server in worker processes. */
export class ForkStrategy implements Strategy {
  readonly #host: StrategyHost;
  readonly #queue: EventQueue;
  readonly #verbose: boolean;
  readonly #configPath: string;
  readonly #workers = new Map<number, WorkerProcess>();
  readonly #killTimers = new Map<number, () => void>();
  #current: Generation;
  #pending?: Generation;
  #phase: Phase = "starting";
  #failures = 0;
  #respawnTimer?: () => void;

  /** Workers launched before the config was checked, waiting for their hello. */
  #early: WorkerProcess[];

  constructor(
    host: StrategyHost,
    queue: EventQueue,
    prepared: Prepared,
    options: { configPath: string; verbose: boolean; early?: readonly WorkerProcess[] },
  ) {
    this.#host = host;
    this.#queue = queue;
    this.#configPath = options.configPath;
    this.#verbose = options.verbose;
    this.#current = { number: 1, prepared, desired: prepared.config.settings.workers };
    this.#early = [...options.early ?? []];
  }

  get current(): Prepared {
    return this.#current.prepared;
  }

  start(): void {
    // The early workers are this generation's first ones; #fill() adds any that are missing.
    for (const worker of this.#early.splice(0)) {
      this.#workers.set(worker.pid, worker);
      worker.greet(this.#hello(this.#current, worker.index));
    }
    this.#fill(this.#current);
  }

  /** Stops workers launched early that start() never greeted (startup failed). */
  async abandon(): Promise<void> {
    await Promise.all(this.#early.splice(0).map((worker) => worker.abandon()));
  }

  #live(generation: Generation): WorkerProcess[] {
    return [...this.#workers.values()].filter((w) =>
      w.generation === generation.number && !w.exited &&
      (w.state === "booting" || w.state === "serving")
    );
  }

  /** Starts workers until `generation` has as many as it wants. */
  #fill(generation: Generation): void {
    const live = this.#live(generation);
    const used = new Set(live.map((w) => w.index));
    for (let index = 0; live.length < generation.desired; index++) {
      if (used.has(index)) continue;
      live.push(this.#spawn(generation, index));
    }
  }

  #spawn(generation: Generation, index: number): WorkerProcess {
    const worker = WorkerProcess.spawn(this.#hello(generation, index), this.#queue);
    this.#workers.set(worker.pid, worker);
    return worker;
  }

  #hello(generation: Generation, index: number): WorkerHello {
    const { config } = generation.prepared;
    return {
      server: config.server,
      configPath: this.#configPath,
      snapshot: config.source,
      generation: generation.number,
      index,
      verbose: this.#verbose,
    };
  }

  reload(next: Prepared): void {
    if (this.#phase !== "running") return this.#host.reloaded(false);
    if (this.#pending) {
      this.#host.logger.warning("Reload already in progress; this SIGUSR1 is ignored");
      return;
    }
    this.#pending = {
      number: this.#current.number + 1,
      prepared: next,
      desired: next.config.settings.workers,
    };
    this.#fill(this.#pending);
  }

  drain(): void {
    if (this.#phase === "draining" || this.#phase === "terminating") return;
    this.#phase = "draining";
    this.#respawnTimer?.();
    for (const worker of this.#workers.values()) this.#drainWorker(worker);
    this.#finishIfEmpty();
  }

  terminate(): void {
    if (this.#phase === "terminating") return;
    this.#phase = "terminating";
    this.#respawnTimer?.();
    for (const worker of this.#workers.values()) {
      worker.state = "stopping";
      worker.signal("SIGTERM");
      this.#killLater(worker, TERMINATE_GRACE_MS, "did not exit after SIGTERM");
    }
    this.#finishIfEmpty();
  }

  scale(delta: 1 | -1): void {
    if (this.#phase !== "running") return;
    const generation = this.#current;
    if (delta < 0 && generation.desired <= 1) {
      this.#host.logger.warning("SIGTTOU ignored: at least one worker must run");
      return;
    }
    generation.desired += delta;
    this.#host.logger.notice(
      `${delta > 0 ? "SIGTTIN" : "SIGTTOU"} received: now ${generation.desired} workers`,
    );
    if (delta > 0) return this.#fill(generation);
    const newest = this.#live(generation).sort((a, b) => b.index - a.index)[0];
    if (newest) this.#drainWorker(newest);
  }

  #drainWorker(worker: WorkerProcess): void {
    if (worker.exited || worker.state === "stopping") return;
    if (worker.state === "draining") return worker.signal("SIGHUP");
    worker.state = "draining";
    worker.signal("SIGHUP");
    const seconds = this.#current.prepared.config.settings.graceful_shutdown_timeout;
    this.#killLater(worker, seconds * 1000, `still draining after ${seconds} seconds`);
  }

  #killLater(worker: WorkerProcess, ms: number, why: string): void {
    this.#killTimers.get(worker.pid)?.();
    this.#killTimers.set(worker.pid, this.#host.after(ms, `kill:${worker.pid}:${why}`));
  }

  onEvent(event: SupervisorEvent): void {
    switch (event.kind) {
      case "ready":
        return this.#onReady(event.worker);
      case "boot-failed":
        return this.#onBootFailed(event.worker, event.message);
      case "exit":
        return this.#onExit(event.worker, event.status);
      case "timer":
        return this.#onTimer(event.name);
    }
  }

  #onReady(worker: WorkerProcess): void {
    this.#failures = 0;
    if (this.#phase === "draining" || this.#phase === "terminating") {
      return this.#phase === "draining" ? this.#drainWorker(worker) : worker.signal("SIGTERM");
    }
    if (worker.state === "draining") {
      // Told to drain while booting, before it listened for SIGHUP: tell it again.
      worker.signal("SIGHUP");
      return;
    }
    this.#host.logger.notice(`Started child ${worker.pid} from parent ${Deno.pid}`);
    if (this.#phase === "starting" && this.#allServing(this.#current)) {
      this.#phase = "running";
      this.#host.serving();
    } else if (this.#pending?.number === worker.generation && this.#allServing(this.#pending)) {
      this.#commitReload();
    }
  }

  #allServing(generation: Generation): boolean {
    const live = this.#live(generation);
    return live.length >= generation.desired && live.every((w) => w.state === "serving");
  }

  #commitReload(): void {
    const old = this.#current;
    this.#current = this.#pending!;
    this.#pending = undefined;
    for (const worker of this.#workers.values()) {
      if (worker.generation === old.number) this.#drainWorker(worker);
    }
    this.#host.reloaded(true);
  }

  #onBootFailed(worker: WorkerProcess, message: string): void {
    const { logger } = this.#host;
    // Told to drain or stop while it booted: its end is no failure.
    if (worker.state === "draining" || worker.state === "stopping") return;
    if (this.#phase === "starting") {
      logger.error(`Worker ${worker.pid} could not start: ${message}`);
      this.terminate();
      this.#host.failed(message);
      return;
    }
    if (this.#pending?.number === worker.generation) {
      logger.error(
        `Reload abandoned, the previous workers keep serving: worker ${worker.pid} could not ` +
          `start: ${message}`,
      );
      for (const w of this.#live(this.#pending)) {
        w.state = "stopping";
        w.signal("SIGTERM");
      }
      this.#pending = undefined;
      this.#host.reloaded(false);
      return;
    }
    if (this.#phase !== "running") return;
    this.#failures++;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.#failures - 1));
    logger.error(
      `Worker ${worker.pid} could not start (${this.#failures} in a row; next try in ` +
        `${delay} ms): ${message}`,
    );
    this.#respawnTimer ??= this.#host.after(delay, "respawn");
  }

  #onExit(worker: WorkerProcess, status: Deno.CommandStatus): void {
    this.#workers.delete(worker.pid);
    this.#killTimers.get(worker.pid)?.();
    this.#killTimers.delete(worker.pid);
    const { logger } = this.#host;
    const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
    if (this.#phase === "draining" || this.#phase === "terminating") {
      logger.info(`Child ${worker.pid} exited (${how})`);
      return this.#finishIfEmpty();
    }
    if (worker.state === "draining" || worker.state === "stopping") {
      logger.info(`Child ${worker.pid} of generation ${worker.generation} exited (${how})`);
      return;
    }
    const generation = worker.generation === this.#current.number
      ? this.#current
      : worker.generation === this.#pending?.number
      ? this.#pending
      : undefined;
    if (!generation) return;
    logger.error(`Removing dead child ${worker.pid} from parent ${Deno.pid} (${how})`);
    if (!this.#respawnTimer) this.#fill(generation);
  }

  #onTimer(name: string): void {
    if (name === "respawn") {
      this.#respawnTimer = undefined;
      if (this.#phase === "running") this.#fill(this.#current);
      return;
    }
    const [kind, pid, why] = name.split(":");
    const worker = kind === "kill" ? this.#workers.get(Number(pid)) : undefined;
    if (!worker) return;
    this.#host.logger.error(`Killing child ${worker.pid} (SIGKILL): it ${why}`);
    worker.signal("SIGKILL");
  }

  #finishIfEmpty(): void {
    if (this.#workers.size === 0) this.#host.finished(0);
  }
}
