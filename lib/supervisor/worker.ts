/**
 * One worker process, seen from the parent: spawned from the same executable, told its config
 * on stdin, watched until it reports READY (or FAILED), then until it exits. Every change is
 * reported as an event on the supervisor's queue.
 */
import type { EventQueue } from "./events.ts";
import {
  encodeHello,
  FAILED_PREFIX,
  LineReader,
  READY_LINE,
  WORKER_COMMAND,
  type WorkerHello,
} from "./protocol.ts";
import { selfCommand } from "./self_command.ts";

/** Which worker of which server and generation a process is. */
export type WorkerIdentity = Pick<WorkerHello, "server" | "generation" | "index">;

/** Where a worker is in its life. */
export type WorkerState = "booting" | "serving" | "draining" | "stopping";

/** A worker process and what the parent knows of it. */
export class WorkerProcess {
  readonly pid: number;
  /** The server it belongs to (a supervisor may run several). */
  readonly server: string;
  readonly generation: number;
  readonly index: number;
  readonly startedAt = Date.now();
  state: WorkerState = "booting";
  /** Set once the process has exited; `state` keeps what it was doing then. */
  exited = false;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  #greeted = false;

  private constructor(child: Deno.ChildProcess, identity: WorkerIdentity) {
    this.#child = child;
    this.pid = child.pid;
    this.server = identity.server;
    this.generation = identity.generation;
    this.index = identity.index;
    this.#stdin = child.stdin.getWriter();
  }

  /** Starts a worker and reports its READY/FAILED line and its exit to `queue`. */
  static spawn(hello: WorkerHello, queue: EventQueue): WorkerProcess {
    const worker = WorkerProcess.launch(hello, queue);
    worker.greet(hello);
    return worker;
  }

  /**
   * Starts a worker that waits for its hello (greet()). Loading swiftd's modules is most of a
   * worker's boot, so the parent launches workers before it has checked the config, and greets
   * them (they bind only then) once the checks pass, or abandons them.
   */
  static launch(identity: WorkerIdentity, queue: EventQueue): WorkerProcess {
    const { command, args } = selfCommand([WORKER_COMMAND]);
    const child = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const worker = new WorkerProcess(child, identity);
    worker.#watch(queue);
    return worker;
  }

  /** Sends the hello line: the worker loads this config and starts serving. Once only. */
  greet(hello: WorkerHello): void {
    if (this.#greeted) return;
    this.#greeted = true;
    // The pipe stays open for the worker's life: its end of file is how a worker learns that
    // the parent died, even by SIGKILL.
    this.#stdin.write(encodeHello(hello)).catch(() => {});
  }

  /** Stops a worker that was never greeted (it exits at the end of its stdin) and waits for it. */
  async abandon(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    this.signal("SIGTERM");
    await this.#child.status;
  }

  async #watch(queue: EventQueue): Promise<void> {
    const lines = new LineReader(this.#child.stdout);
    const first = await lines.next().catch(() => undefined);
    if (first === READY_LINE) {
      // A worker told to drain or stop while it booted keeps that state.
      if (this.state === "booting") this.state = "serving";
      queue.push({ kind: "ready", worker: this });
    } else {
      const message = first?.startsWith(FAILED_PREFIX)
        ? first.slice(FAILED_PREFIX.length)
        : `worker ${this.pid} exited before it was ready`;
      queue.push({ kind: "boot-failed", worker: this, message });
    }
    await lines.untilEnd().catch(() => {});
    const status = await this.#child.status;
    this.exited = true;
    this.#stdin.close().catch(() => {});
    queue.push({ kind: "exit", worker: this, status });
  }

  /** Sends a signal, ignoring a worker that is already gone. */
  signal(signal: Deno.Signal): void {
    if (this.exited) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Exited between our check and the kill.
    }
  }
}
