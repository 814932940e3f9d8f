/**
 * The worker process: load the config the parent sent, build the pipeline, bind its own
 * SO_REUSEPORT listener, drop privileges, say READY, serve. It obeys its parent:
 * SIGTERM ends it at once (Swift's SIG_DFL), SIGHUP (and SIGUSR1) drain it, SIGINT is left to
 * the parent (a terminal's Ctrl-C reaches the whole process group). When its stdin closes the
 * parent is gone, and it drains and exits instead of living on as an orphan, unlike Swift's.
 */
import { ExitCode } from "../common/exit_codes.ts";
import { loadServerConfig } from "../config/load.ts";
import { captureStdio } from "../log/capture.ts";
import { createLogger, type LoggerHandle, logSettingsFrom } from "../log/logger.ts";
import { serveSettingsFrom, startServer } from "../server/serve.ts";
import { buildPipeline } from "./pipeline.ts";
import { dropPrivileges, planPrivileges } from "./privileges.ts";
import { FAILED_PREFIX, LineReader, READY_LINE, type WorkerHello } from "./protocol.ts";

function say(line: string): void {
  const data = new TextEncoder().encode(`${line}\n`);
  for (let offset = 0; offset < data.length;) {
    offset += Deno.stdout.writeSync(data.subarray(offset));
  }
}

/** Runs one worker until it is told to stop or loses its parent; returns the exit code. */
export async function runWorker(): Promise<number> {
  const stdin = new LineReader(Deno.stdin.readable);
  const hello = await stdin.next();
  if (!hello) return ExitCode.WORKER_BOOT;
  const { server, configPath, snapshot, verbose } = JSON.parse(hello) as WorkerHello;
  let log: LoggerHandle | undefined;
  try {
    const config = loadServerConfig(configPath, server, snapshot);
    log = createLogger(logSettingsFrom(config.settings, config.logName, verbose));
    const logger = log.logger;
    const privileges = planPrivileges(config.settings.user);
    const pipeline = buildPipeline(config, logger);
    const running = await startServer(
      serveSettingsFrom(config.settings, true),
      pipeline.handler,
      logger,
    );
    if (privileges.action === "drop") dropPrivileges(privileges.user);
    Deno.addSignalListener("SIGINT", () => {});
    Deno.addSignalListener("SIGTERM", () => Deno.exit(ExitCode.OK));
    say(READY_LINE);
    captureStdio(logger, { keepStderr: log.usesStderr, keepStdin: true });

    let draining = false;
    const drain = (why: string) => {
      if (draining) return;
      draining = true;
      logger.info(`Child ${Deno.pid} draining: ${why}`);
      // Whoever would SIGKILL a stuck drain may be gone, so the worker bounds it too.
      const limit = setTimeout(() => {
        logger.error(
          `Child ${Deno.pid} still had requests in flight after graceful_shutdown_timeout ` +
            `(${config.settings.graceful_shutdown_timeout}s); exiting`,
        );
        Deno.exit(ExitCode.OK);
      }, config.settings.graceful_shutdown_timeout * 1000);
      Deno.unrefTimer(limit);
      running.drain();
    };
    Deno.addSignalListener("SIGHUP", () => drain("SIGHUP"));
    Deno.addSignalListener("SIGUSR1", () => drain("SIGUSR1"));
    stdin.untilEnd().then(() => drain(`parent ${Deno.ppid} is gone`), () => drain("stdin failed"));

    await running.finished;
    await pipeline.close();
    logger.notice(`Child ${Deno.pid} exiting normally`);
    log.close();
    return ExitCode.OK;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log?.logger.error(message);
    say(`${FAILED_PREFIX}${message.replaceAll("\n", " ")}`);
    log?.close();
    return ExitCode.WORKER_BOOT;
  }
}
