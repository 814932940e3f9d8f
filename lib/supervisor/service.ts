/**
 * One server the supervisor runs (proxy-server, object-server...): its config, logger, run-dir
 * lock and strategy. A process normally runs one; the all-in-one default runs four, and the
 * supervisor applies each signal to all of them.
 */
import { ExitCode } from "../common/exit_codes.ts";
import { ConfigError } from "../config/errors.ts";
import { loadServerConfig } from "../config/load.ts";
import type { ServerName } from "../config/options/servers.ts";
import type { ConfigSource } from "../config/paste.ts";
import { writeAllSync } from "../log/handlers.ts";
import { createLogger, type LoggerHandle, logSettingsFrom } from "../log/logger.ts";
import type { EventQueue, SupervisorEvent } from "./events.ts";
import { ForkStrategy } from "./fork_strategy.ts";
import { InlineStrategy } from "./inline_strategy.ts";
import { prepare, type Prepared } from "./prepare.ts";
import { listenersOverlapping } from "../server/socket_table.ts";
import { acquireRunLock, type RunLock } from "./run_dir.ts";
import { WorkerProcess } from "./worker.ts";
import type { Strategy, StrategyHost } from "./strategy.ts";

/** What to run: `swiftd SERVER CONF`. */
export interface ServiceOptions {
  readonly server: ServerName;
  /** Absolute path of the config file or conf.d directory. */
  readonly configPath: string;
  readonly verbose: boolean;
  /** The config's text when it is not on disk (the built-in default); reloads reuse it. */
  readonly snapshot?: ConfigSource;
}

/** How a service reports to the supervisor. */
export interface ServiceOwner {
  readonly queue: EventQueue;
  serving(service: Service): void;
  failed(service: Service, message: string): void;
  reloaded(service: Service, ok: boolean): void;
  finished(service: Service): void;
}

/** Writes one line to stderr, whatever logging does. */
export function stderrLine(text: string): void {
  writeAllSync(Deno.stderr, new TextEncoder().encode(`${text}\n`));
}

/** The message of anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof ConfigError || err instanceof Error ? err.message : String(err);
}

/** A validated, locked server, ready to start. */
export class Service implements StrategyHost {
  readonly options: ServiceOptions;
  readonly strategy: Strategy;
  readonly log: LoggerHandle;
  readonly #owner: ServiceOwner;
  #lock: RunLock;
  failure?: string;
  done = false;
  stopping = false;
  #reloading = false;

  private constructor(
    options: ServiceOptions,
    owner: ServiceOwner,
    parts: { log: LoggerHandle; prepared: Prepared; lock: RunLock; early: WorkerProcess[] },
  ) {
    this.options = options;
    this.#owner = owner;
    this.log = parts.log;
    this.#lock = parts.lock;
    const { prepared, early } = parts;
    // The workers launched early were counted from the same config: an inline server (0) had
    // none, and a change of the file in between only changes how many #fill() adds.
    this.strategy = prepared.config.settings.workers > 0
      ? new ForkStrategy(this, owner.queue, prepared, { ...options, early })
      : new InlineStrategy(this, prepared);
  }

  /**
   * Swift's run_wsgi() up to the fork: config, logger, pipeline check, umask, run-dir lock.
   * Returns the service, or the one-line reason it cannot run (already printed and logged).
   */
  static async open(options: ServiceOptions, owner: ServiceOwner): Promise<Service | string> {
    let log: LoggerHandle;
    let workers: number;
    try {
      const config = loadServerConfig(options.configPath, options.server, options.snapshot);
      log = createLogger(logSettingsFrom(config.settings, config.logName, options.verbose));
      workers = config.settings.workers;
    } catch (err) {
      stderrLine(errorText(err));
      return errorText(err);
    }
    // Swift's clean_up_daemon_hygiene(); every path in the config is already absolute. Set
    // before the workers are launched: they inherit it.
    Deno.umask(0o022);
    // A worker spends most of its boot loading swiftd's modules: start that now, while this
    // process checks the config. Workers bind only when greeted, after every check passed.
    const early = launchWorkers(options.server, workers, owner.queue);
    const fail = async (message: string) => {
      await Promise.all(early.map((worker) => worker.abandon()));
      log.logger.error(message);
      if (!log.usesStderr) stderrLine(message);
      log.close();
      return message;
    };
    if (log.fallbackReason) log.logger.notice(`Logging to stderr: ${log.fallbackReason}`);
    let prepared: Prepared;
    try {
      prepared = await prepare(options.configPath, options.server, {
        logger: log.logger,
        snapshot: options.snapshot,
      });
    } catch (err) {
      return await fail(errorText(err));
    }
    for (const warning of prepared.config.warnings) log.logger.warning(warning.message);
    const settings = prepared.config.settings;
    let lock: RunLock;
    try {
      lock = acquireRunLock(settings.run_dir, options.server, settings.bind_port);
    } catch (err) {
      return await fail(errorText(err));
    }
    // Workers bind with SO_REUSEPORT, which another swiftd (another run_dir, so another lock)
    // would share silently: wait for the port as get_socket() waits for EADDRINUSE, then refuse.
    const taken = await waitForFreePort(
      settings.bind_ip,
      settings.bind_port,
      settings.bind_timeout,
    );
    if (taken) {
      lock.release();
      return await fail(
        `Could not bind to ${settings.bind_ip}:${settings.bind_port} after trying for ` +
          `${settings.bind_timeout} seconds: ${taken}`,
      );
    }
    if (settings.workers > 0) warnAboutConnectionMigration(log);
    return new Service(options, owner, { log, prepared, lock, early });
  }

  get logger() {
    return this.log.logger;
  }

  /** Timer names carry the server name so the supervisor can route them back here. */
  after(ms: number, name: string): () => void {
    return this.#owner.queue.after(ms, `${this.options.server}/${name}`);
  }

  /** Whether `event` belongs to this service, and the event as its strategy expects it. */
  claim(event: SupervisorEvent): SupervisorEvent | undefined {
    if (event.kind === "timer") {
      const prefix = `${this.options.server}/`;
      return event.name.startsWith(prefix)
        ? { ...event, name: event.name.slice(prefix.length) }
        : undefined;
    }
    if ("worker" in event) return event.worker.server === this.options.server ? event : undefined;
    return undefined;
  }

  serving(): void {
    const { bind_ip, bind_port, workers } = this.strategy.current.config.settings;
    this.logger.notice(
      `${this.options.server} serving on ${bind_ip}:${bind_port} with ` +
        `${workers === 0 ? "no workers (in-process)" : `${workers} workers`}`,
    );
    this.#owner.serving(this);
  }

  failed(message: string): void {
    this.failure = message;
    this.#owner.failed(this, message);
  }

  reloaded(ok: boolean): void {
    this.#reloading = false;
    if (ok) this.logger.notice(`Reloaded: ${this.options.server} serves the new config`);
    this.#owner.reloaded(this, ok);
  }

  finished(_code: number): void {
    this.done = true;
    this.#owner.finished(this);
  }

  /** Stops now. */
  terminate(): void {
    this.stopping = true;
    this.strategy.terminate();
  }

  /** Drains. */
  drain(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.strategy.drain();
  }

  /** SIGUSR1: validates the config again and switches to it, or keeps the old one. */
  reload(): void {
    if (this.stopping || this.#reloading) return;
    this.#reloading = true;
    prepare(this.options.configPath, this.options.server, {
      logger: this.logger,
      snapshot: this.options.snapshot,
    }).then(
      (next) => this.#switchTo(next),
      (err) => {
        this.logger.error(`Reload refused, the running config stays: ${errorText(err)}`);
        this.reloaded(false);
      },
    );
  }

  #switchTo(next: Prepared): void {
    const before = this.strategy.current.config.settings;
    const after = next.config.settings;
    if (before.bind_port !== after.bind_port || before.run_dir !== after.run_dir) {
      try {
        const lock = acquireRunLock(after.run_dir, this.options.server, after.bind_port);
        this.#lock.release();
        this.#lock = lock;
      } catch (err) {
        this.logger.error(`Reload refused, the running config stays: ${errorText(err)}`);
        return this.reloaded(false);
      }
    }
    for (const warning of next.config.warnings) this.logger.warning(warning.message);
    this.strategy.reload(next);
  }

  /** Stops workers launched early, which a service that never started has not greeted. */
  async abandon(): Promise<void> {
    await this.strategy.abandon();
  }

  /** Releases the run-dir lock and the logger. */
  close(): void {
    this.#lock.release();
    if (this.failure === undefined) this.logger.notice(`Exited (${Deno.pid})`);
    this.log.close();
  }

  /** The exit code this service asks for. */
  get exitCode(): number {
    return this.failure === undefined ? ExitCode.OK : ExitCode.CONFIG;
  }
}

/** Launches the first generation's `count` workers, without their hello yet. */
function launchWorkers(server: ServerName, count: number, queue: EventQueue): WorkerProcess[] {
  return Array.from(
    { length: count },
    (_, index) => WorkerProcess.launch({ server, generation: 1, index }, queue),
  );
}

/** Waits up to `seconds` for no process to listen on ip:port; returns who listens, if any. */
async function waitForFreePort(
  ip: string,
  port: number,
  seconds: number,
): Promise<string | undefined> {
  const deadline = Date.now() + seconds * 1000;
  while (true) {
    const listeners = listenersOverlapping(ip, port);
    if (listeners.length === 0) return undefined;
    if (Date.now() >= deadline) {
      const { localIp } = listeners[0];
      return `another process listens on ${
        localIp.includes(":") ? `[${localIp}]` : localIp
      }:${port}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Linux resets connections queued on a closing SO_REUSEPORT listener unless told otherwise. */
function warnAboutConnectionMigration(log: LoggerHandle): void {
  try {
    if (Deno.readTextFileSync("/proc/sys/net/ipv4/tcp_migrate_req").trim() !== "0") return;
  } catch {
    return; // kernel older than 5.14, or no procfs: nothing to say that would help
  }
  log.logger.warning(
    "net.ipv4.tcp_migrate_req is 0: when a worker's listener closes (reload, worker death), " +
      "connections still queued on it are reset. Enable migration with " +
      "`sysctl -w net.ipv4.tcp_migrate_req=1` (per network namespace)",
  );
}
