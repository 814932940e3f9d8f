/**
 * `swiftd SERVER CONF`: Swift's run_wsgi() in Swift's order (config, logger, pipeline check,
 * bind_port, daemon hygiene, workers, then stdio capture and systemd READY=1) followed by one
 * loop that takes signals and worker events off a queue and acts on them. The all-in-one
 * default runs several services in the same loop; every signal applies to all of them.
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
import { captureStdio } from "../log/capture.ts";
import { EventQueue, listenSignals, type SupervisedSignal } from "./events.ts";
import { guardInspectorPort } from "./inspector_guard.ts";
import { Service, type ServiceOptions, type ServiceOwner, stderrLine } from "./service.ts";
import { SystemdNotifier } from "./systemd.ts";

export type { ServiceOptions as SuperviseOptions } from "./service.ts";

type Action = (supervisor: Supervisor) => void;

/** What each signal does to the parent. */
const ACTIONS: Record<SupervisedSignal, Action> = {
  SIGTERM: (s) =>
    s.each((service) => {
      service.logger.notice(`SIGTERM received (${Deno.pid})`);
      if (service.strategy.current.config.settings.graceful_sigterm) service.drain();
      else service.terminate();
    }),
  SIGHUP: (s) =>
    s.each((service) => {
      service.logger.notice(`SIGHUP received (${Deno.pid})`);
      service.drain();
    }),
  SIGINT: (s) =>
    s.each((service) => {
      service.logger.notice("User quit");
      service.drain();
    }),
  SIGUSR1: (s) => {
    s.systemd.reloading();
    s.each((service) => {
      service.logger.notice(`SIGUSR1 received (${Deno.pid}): reloading`);
      service.reload();
    });
  },
  SIGTTIN: (s) => s.each((service) => service.strategy.scale(1)),
  SIGTTOU: (s) => s.each((service) => service.strategy.scale(-1)),
};

/** Runs each of `given` until they are stopped; returns the exit code. */
export async function supervise(...given: ServiceOptions[]): Promise<number> {
  const supervisor = new Supervisor();
  for (const options of given) {
    // Reloads read the config again after the chdir("/") below.
    const opened = await Service.open(
      { ...options, configPath: resolve(options.configPath) },
      supervisor,
    );
    if (typeof opened === "string") {
      await Promise.all(supervisor.services.map((service) => service.abandon()));
      supervisor.closeAll();
      return ExitCode.CONFIG;
    }
    supervisor.services.push(opened);
  }
  Deno.chdir("/");
  return await supervisor.run();
}

/** The parent process: one loop, its services, and systemd. */
class Supervisor implements ServiceOwner {
  readonly queue = new EventQueue();
  readonly systemd = new SystemdNotifier();
  readonly services: Service[] = [];
  readonly #serving = new Set<Service>();
  #failed = false;
  #pendingReloads = 0;
  #uncapture?: () => void;

  /** Applies `fn` to every service still running. */
  each(fn: (service: Service) => void): void {
    for (const service of this.services) if (!service.done) fn(service);
  }

  async run(): Promise<number> {
    const releaseInspectorPort = guardInspectorPort();
    const unlisten = listenSignals(this.queue);
    for (const service of this.services) service.strategy.start();
    while (!this.services.every((s) => s.done)) {
      const event = await this.queue.next();
      if (event.kind === "signal") {
        if (event.signal === "SIGUSR1") this.#pendingReloads = this.services.length;
        if (
          event.signal !== "SIGUSR1" && event.signal !== "SIGTTIN" && event.signal !== "SIGTTOU"
        ) {
          this.systemd.stopping();
        }
        ACTIONS[event.signal](this);
        continue;
      }
      for (const service of this.services) {
        const mine = service.claim(event);
        if (mine) service.strategy.onEvent(mine);
      }
    }
    unlisten();
    releaseInspectorPort();
    this.#uncapture?.();
    this.closeAll();
    this.systemd.close();
    return this.#failed ? ExitCode.CONFIG : ExitCode.OK;
  }

  /** Releases every service's lock and logger. */
  closeAll(): void {
    for (const service of this.services) service.close();
  }

  // ServiceOwner

  serving(service: Service): void {
    this.#serving.add(service);
    if (this.#serving.size < this.services.length) return;
    // Swift captures stdio and tells systemd only once every worker serves.
    this.#uncapture = captureStdio(this.services[0].logger, {
      keepStderr: this.services.some((s) => s.log.usesStderr),
    });
    this.systemd.ready();
  }

  failed(service: Service, message: string): void {
    this.#failed = true;
    service.logger.error(message);
    if (!service.log.usesStderr) stderrLine(message);
    // One server that cannot start stops them all, as a failed run_wsgi() would.
    this.each((s) => s.terminate());
  }

  reloaded(_service: Service, _ok: boolean): void {
    if (--this.#pendingReloads <= 0) this.systemd.ready();
  }

  finished(_service: Service): void {
    // Wakes the loop, which may be waiting for an event while a strategy finished on its own.
    this.queue.push({ kind: "done", name: "finished" });
  }
}
