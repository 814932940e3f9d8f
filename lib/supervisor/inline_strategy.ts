/**
 * workers = 0: the supervisor process serves by itself (Swift's no-fork mode, handy for
 * debugging and profiling). A reload swaps the pipeline in place, or binds the new address
 * first and then drains the old listener when bind_ip/bind_port changed.
 */
import { type RunningServer, serveSettingsFrom, startServer } from "../server/serve.ts";
import type { SupervisorEvent } from "./events.ts";
import { buildPipeline, type Pipeline } from "./pipeline.ts";
import type { Prepared } from "./prepare.ts";
import { dropPrivileges } from "./privileges.ts";
import type { Strategy, StrategyHost } from "./strategy.ts";

/** Runs the server in the supervisor's own process. */
export class InlineStrategy implements Strategy {
  readonly #host: StrategyHost;
  #current: Prepared;
  #server?: RunningServer;
  #pipeline?: Pipeline;
  #stopping = false;

  constructor(host: StrategyHost, prepared: Prepared) {
    this.#host = host;
    this.#current = prepared;
  }

  get current(): Prepared {
    return this.#current;
  }

  /** Nothing runs before start(). */
  abandon(): Promise<void> {
    return Promise.resolve();
  }

  start(): void {
    this.#serve(this.#current).then((server) => {
      this.#server = server;
      // Unlike Swift's no-fork mode, which keeps root, give it up once the port is bound.
      if (this.#current.privileges.action === "drop") {
        dropPrivileges(this.#current.privileges.user);
      }
      this.#host.serving();
    }, (err) => this.#host.failed((err as Error).message));
  }

  async #serve(prepared: Prepared): Promise<RunningServer> {
    const pipeline = buildPipeline(prepared.config, this.#host.logger);
    try {
      const server = await startServer(
        serveSettingsFrom(prepared.config.settings, true),
        pipeline.handler,
        this.#host.logger,
      );
      this.#pipeline = pipeline;
      return server;
    } catch (err) {
      await pipeline.close();
      throw err;
    }
  }

  reload(next: Prepared): void {
    const before = this.#current.config.settings;
    const after = next.config.settings;
    const rebind = before.bind_ip !== after.bind_ip || before.bind_port !== after.bind_port ||
      before.cert_file !== after.cert_file || before.key_file !== after.key_file;
    const oldPipeline = this.#pipeline;
    const oldServer = this.#server!;
    const swap = rebind
      ? this.#serve(next).then((server) => {
        this.#server = server;
        return oldServer.drain();
      })
      : Promise.resolve().then(() => {
        const pipeline = buildPipeline(next.config, this.#host.logger);
        oldServer.setHandler(pipeline.handler);
        this.#pipeline = pipeline;
      });
    swap.then(async () => {
      this.#current = next;
      await oldPipeline?.close();
      this.#host.reloaded(true);
    }, (err) => {
      this.#host.logger.error(
        `Reload abandoned, the previous config keeps serving: ${err.message}`,
      );
      this.#host.reloaded(false);
    });
  }

  drain(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const seconds = this.#current.config.settings.graceful_shutdown_timeout;
    const cancel = this.#host.after(seconds * 1000, "inline-drain-timeout");
    this.#stop(this.#server?.drain()).finally(cancel);
  }

  terminate(): void {
    this.#stopping = true;
    this.#stop(this.#server?.close());
  }

  #stop(stopped: Promise<void> | undefined): Promise<void> {
    return (stopped ?? Promise.resolve())
      .then(() => this.#pipeline?.close())
      .then(() => this.#host.finished(0), () => this.#host.finished(0));
  }

  scale(delta: 1 | -1): void {
    this.#host.logger.warning(
      `${delta > 0 ? "SIGTTIN" : "SIGTTOU"} ignored: workers = 0 serves from the parent ` +
        `process alone; set workers to 1 or more to add and remove workers`,
    );
  }

  onEvent(event: SupervisorEvent): void {
    if (event.kind === "timer" && event.name === "inline-drain-timeout" && this.#server) {
      const seconds = this.#current.config.settings.graceful_shutdown_timeout;
      this.#host.logger.error(
        `Requests still in flight after ${seconds} seconds (graceful_shutdown_timeout); closing`,
      );
      this.#server.close();
    }
  }
}
