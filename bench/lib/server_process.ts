/**
 * One server under test (Swift's or swiftd's parent and its workers): start it, wait until
 * every worker listens, read its workers, and stop it so that nothing it started survives
 * and its port is free again.
 */
import { track } from "./cleanup.ts";
import { descendantsOf, identify, isAlive, type ProcessId, signalIfAlive } from "./procfs.ts";
import { listeningWorkers, waitPortFree } from "./sockets.ts";

const STDERR_TAIL_CHARS = 4096;

/** A running server started by the bench. */
export class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  readonly startedAt: number;
  readonly #parent: ProcessId | undefined;
  #stderrTail = "";
  readonly #stderrDone: Promise<void>;
  readonly #tracking: { release(): void };
  #known: ProcessId[] = [];
  #stopping: Promise<void> | undefined;

  private constructor(argv: readonly string[], port: number, cwd: string) {
    this.port = port;
    this.startedAt = performance.now();
    this.child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#parent = identify(this.child.pid);
    this.#stderrDone = this.#collect();
    this.#tracking = track(this);
  }

  /** Spawns `argv`; `startedAt` is taken just before the spawn. */
  static start(argv: readonly string[], options: { port: number; cwd: string }): ServerProcess {
    return new ServerProcess(argv, options.port, options.cwd);
  }

  get pid(): number {
    return this.child.pid;
  }

  /** The last lines the server wrote to stderr, for error messages. */
  get stderrTail(): string {
    return this.#stderrTail.trimEnd();
  }

  // Only the tail is kept, without splitting lines per chunk: a server that logs every request
  // to stderr must not make the bench burn CPU the server under load would otherwise get.
  async #collect(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.child.stderr) {
      this.#stderrTail = (this.#stderrTail + decoder.decode(chunk, { stream: true }))
        .slice(-STDERR_TAIL_CHARS);
    }
  }

  /** Whether the parent still runs. */
  get running(): boolean {
    return this.#parent !== undefined && isAlive(this.#parent);
  }

  /** Waits until `workers` children hold a listening socket on the port. */
  async waitListening(workers: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (listeningWorkers(this.pid, this.port) < workers) {
      if (!this.running) throw new Error(`The server exited before listening:\n${this.stderrTail}`);
      if (Date.now() > deadline) {
        throw new Error(
          `${workers} worker(s) were not listening on port ${this.port} after ${timeoutMs} ms:\n` +
            this.stderrTail,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#remember();
  }

  /** Every process the server started, as seen now (remembered so stop() can reap them). */
  #remember(): ProcessId[] {
    const now = descendantsOf(this.pid);
    const seen = new Set(this.#known.map((id) => `${id.pid}/${id.startTime}`));
    this.#known.push(...now.filter((id) => !seen.has(`${id.pid}/${id.startTime}`)));
    return now;
  }

  /**
   * SIGTERM to the parent (both implementations then stop their workers), SIGKILL to it and to
   * any process it started that is left after `graceMs`, then waits for the port to be free.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? 10_000);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#remember();
    if (this.#parent) signalIfAlive(this.#parent, "SIGTERM");
    const exited = await Promise.race([
      this.child.status.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs)),
    ]);
    if (!exited && this.#parent) signalIfAlive(this.#parent, "SIGKILL");
    await this.child.status;
    await this.#stderrDone;
    // Workers get a moment to follow their parent, then are killed by pid (and start time).
    const deadline = Date.now() + (exited ? graceMs : 0);
    while (this.#known.some(isAlive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const id of this.#known) signalIfAlive(id, "SIGKILL");
    while (this.#known.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 20));
    this.#tracking.release();
    await waitPortFree(this.port);
  }
}
