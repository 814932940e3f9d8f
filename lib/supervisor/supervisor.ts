/**
 * `swiftd SERVER CONF`: Swift's run_wsgi() in Swift's order (config, logger, pipeline check,
 * bind_port, daemon hygiene, workers, then stdio capture and systemd READY=1) followed by one
 * loop that takes signals and worker events off a queue and acts on them.
 *
 * | signal   | action                                                                  |
 * |----------|-------------------------------------------------------------------------|
 * | SIGTERM  | stop now (or drain, with graceful_sigterm = true)                       |
 * | SIGHUP   | drain: stop accepting, finish requests, exit                            |
 * | SIGINT   | "User quit", then drain                                                 |
 * | SIGUSR1  | reload: new config and executable, new workers, then drain the old ones |
 * | SIGTTIN  | one more worker                                                         |
 * | SIGTTOU  | one worker fewer                                                        |
 */
import { resolve } from "@std/path";
import { ExitCode } from "../common/exit_codes.ts";
import { ConfigError } from "../config/errors.ts";
import { loadServerConfig } from "../config/load.ts";
import type { ServerName } from "../config/options/servers.ts";
import type { ConfigSource } from "../config/paste.ts";
import { writeAllSync } from "../log/handlers.ts";
import { captureStdio } from "../log/capture.ts";
import { createLogger, type LoggerHandle, logSettingsFrom } from "../log/logger.ts";
import { EventQueue, listenSignals, type SupervisedSignal } from "./events.ts";
import { ForkStrategy } from "./fork_strategy.ts";
import { guardInspectorPort } from "./inspector_guard.ts";
import { InlineStrategy } from "./inline_strategy.ts";
import { prepare, type Prepared } from "./prepare.ts";
import { acquireRunLock, type RunLock } from "./run_dir.ts";
import type { Strategy, StrategyHost } from "./strategy.ts";
import { SystemdNotifier } from "./systemd.ts";

/** What `swiftd SERVER CONF` was asked to run. */
export interface SuperviseOptions {
  readonly server: ServerName;
  readonly configPath: string;
  readonly verbose: boolean;
  /** The config's text when it is not on disk (the built-in default); reloads reuse it. */
  readonly snapshot?: ConfigSource;
}

type Action = (supervisor: Supervisor) => void;

/** What each signal does to the parent. */
const ACTIONS: Record<SupervisedSignal, Action> = {
  SIGTERM: (s) => s.current.config.settings.graceful_sigterm ? s.drain("SIGTERM") : s.terminate(),
  SIGHUP: (s) => s.drain("SIGHUP"),
  SIGINT: (s) => {
    s.logger.notice("User quit");
    s.drain("SIGINT");
  },
  SIGUSR1: (s) => s.reload(),
  SIGTTIN: (s) => s.scale(1),
  SIGTTOU: (s) => s.scale(-1),
};

function stderrLine(text: string): void {
  writeAllSync(Deno.stderr, new TextEncoder().encode(`${text}\n`));
}

/** Runs `server` from `configPath` until it is stopped; returns the exit code. */
export async function supervise(given: SuperviseOptions): Promise<number> {
  // Reloads read the config again after the chdir("/") below.
  const options = { ...given, configPath: resolve(given.configPath) };
  let log: LoggerHandle;
  let prepared: Prepared;
  try {
    const config = loadServerConfig(options.configPath, options.server, options.snapshot);
    log = createLogger(logSettingsFrom(config.settings, config.logName, options.verbose));
  } catch (err) {
    stderrLine(errorText(err));
    return ExitCode.CONFIG;
  }
  const fail = (message: string) => {
    log.logger.error(message);
    if (!log.usesStderr) stderrLine(message);
    log.close();
    return ExitCode.CONFIG;
  };
  if (log.fallbackReason) log.logger.notice(`Logging to stderr: ${log.fallbackReason}`);
  try {
    prepared = await prepare(options.configPath, options.server, {
      logger: log.logger,
      snapshot: options.snapshot,
    });
  } catch (err) {
    return fail(errorText(err));
  }
  for (const warning of prepared.config.warnings) log.logger.warning(warning.message);
  const settings = prepared.config.settings;
  // Swift's clean_up_daemon_hygiene(); every path in the config is already absolute.
  Deno.umask(0o022);
  let lock: RunLock;
  try {
    lock = acquireRunLock(settings.run_dir, options.server, settings.bind_port);
  } catch (err) {
    return fail(errorText(err));
  }
  Deno.chdir("/");
  if (settings.workers > 0) warnAboutConnectionMigration(log);
  const supervisor = new Supervisor(options, log, prepared, lock);
  return await supervisor.run();
}

function errorText(err: unknown): string {
  return err instanceof ConfigError || err instanceof Error ? err.message : String(err);
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

/** The parent process: one loop, one strategy, the run lock and systemd. */
class Supervisor implements StrategyHost {
  readonly #options: SuperviseOptions;
  readonly #queue = new EventQueue();
  readonly #systemd = new SystemdNotifier();
  readonly #strategy: Strategy;
  #log: LoggerHandle;
  #lock: RunLock;
  #exitCode?: number;
  #failure?: string;
  #stopping = false;
  #reloading = false;
  #uncapture?: () => void;

  constructor(options: SuperviseOptions, log: LoggerHandle, prepared: Prepared, lock: RunLock) {
    this.#options = options;
    this.#log = log;
    this.#lock = lock;
    this.#strategy = prepared.config.settings.workers > 0
      ? new ForkStrategy(this, this.#queue, prepared, options)
      : new InlineStrategy(this, prepared);
  }

  get logger() {
    return this.#log.logger;
  }

  get current(): Prepared {
    return this.#strategy.current;
  }

  async run(): Promise<number> {
    const releaseInspectorPort = guardInspectorPort();
    const unlisten = listenSignals(this.#queue);
    this.#strategy.start();
    while (this.#exitCode === undefined) {
      const event = await this.#queue.next();
      if (event.kind === "signal") ACTIONS[event.signal](this);
      else this.#strategy.onEvent(event);
    }
    unlisten();
    releaseInspectorPort();
    this.#uncapture?.();
    this.#lock.release();
    this.#systemd.close();
    if (this.#failure === undefined) this.logger.notice(`Exited (${Deno.pid})`);
    this.#log.close();
    return this.#exitCode;
  }

  // StrategyHost

  after(ms: number, name: string): () => void {
    return this.#queue.after(ms, name);
  }

  serving(): void {
    const { bind_ip, bind_port, workers } = this.current.config.settings;
    this.logger.notice(
      `${this.#options.server} serving on ${bind_ip}:${bind_port} with ` +
        `${workers === 0 ? "no workers (in-process)" : `${workers} workers`}`,
    );
    this.#uncapture = captureStdio(this.logger, { keepStderr: this.#log.usesStderr });
    this.#systemd.ready();
  }

  failed(message: string): void {
    this.#failure = message;
    this.logger.error(message);
    if (!this.#log.usesStderr) stderrLine(message);
    if (this.#stopping) return;
    this.#stopping = true;
    this.#strategy.terminate();
  }

  reloaded(ok: boolean): void {
    this.#reloading = false;
    if (ok) this.logger.notice(`Reloaded: ${this.#options.server} serves the new config`);
    this.#systemd.ready();
  }

  finished(code: number): void {
    this.#exitCode = this.#failure === undefined ? code : ExitCode.CONFIG;
    // Strategies may finish outside the loop's turn (an in-process drain): wake it up.
    this.#queue.push({ kind: "done", name: "finished" });
  }

  // Signal actions

  terminate(): void {
    this.logger.notice(`SIGTERM received (${Deno.pid})`);
    this.#systemd.stopping();
    this.#stopping = true;
    this.#strategy.terminate();
  }

  drain(signal: SupervisedSignal): void {
    if (signal !== "SIGINT") this.logger.notice(`${signal} received (${Deno.pid})`);
    if (this.#stopping) return;
    this.#stopping = true;
    this.#systemd.stopping();
    this.#strategy.drain();
  }

  reload(): void {
    this.logger.notice(`SIGUSR1 received (${Deno.pid}): reloading`);
    if (this.#stopping || this.#reloading) return;
    this.#reloading = true;
    this.#systemd.reloading();
    prepare(this.#options.configPath, this.#options.server, {
      logger: this.logger,
      snapshot: this.#options.snapshot,
    }).then(
      (next) => this.#switchTo(next),
      (err) => {
        this.logger.error(`Reload refused, the running config stays: ${errorText(err)}`);
        this.reloaded(false);
      },
    );
  }

  #switchTo(next: Prepared): void {
    const before = this.current.config.settings;
    const after = next.config.settings;
    if (before.bind_port !== after.bind_port || before.run_dir !== after.run_dir) {
      try {
        const lock = acquireRunLock(after.run_dir, this.#options.server, after.bind_port);
        this.#lock.release();
        this.#lock = lock;
      } catch (err) {
        this.logger.error(`Reload refused, the running config stays: ${errorText(err)}`);
        return this.reloaded(false);
      }
    }
    for (const warning of next.config.warnings) this.logger.warning(warning.message);
    this.#strategy.reload(next);
  }

  scale(delta: 1 | -1): void {
    this.#strategy.scale(delta);
  }
}
