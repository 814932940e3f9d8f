/**
 * Swift's logger (swift.common.utils.get_logger + LogAdapter) as a thin layer over @std/log:
 * @std/log carries records to handlers; this layer adds Swift's NOTICE level, transaction
 * ids, and the choice of destination.
 *
 * Unlike Swift, swiftd never drops logs silently: with no syslog socket and no UDP host
 * (most containers) it logs to stderr and says so, and a line syslog refuses goes to stderr.
 */
import { type BaseHandler, Logger } from "@std/log";
import type { TypedConfig } from "../config/options/option.ts";
import type { LOG_OPTIONS } from "../config/options/logging.ts";
import { Level, type LevelNumber, type SwiftRecord } from "./format.ts";
import {
  type LossReporter,
  StderrHandler,
  UdpSyslogHandler,
  UnixSyslogHandler,
  writeAllSync,
} from "./handlers.ts";

/** Where and how to log, from the log_* options. */
export interface LogSettings {
  readonly name: string;
  readonly facility: number;
  readonly level: number;
  readonly address: string;
  readonly udpHost?: string;
  readonly udpPort: number;
  readonly maxLineLength: number;
  /** Also log to stderr (`--verbose`), like Swift's log_to_console. */
  readonly console?: boolean;
}

/** LogSettings from parsed log_* options. */
export function logSettingsFrom(
  options: TypedConfig<typeof LOG_OPTIONS>,
  name: string,
  console = false,
): LogSettings {
  return {
    name,
    facility: options.log_facility,
    level: options.log_level,
    address: options.log_address,
    udpHost: options.log_udp_host,
    udpPort: options.log_udp_port,
    maxLineLength: options.log_max_line_length,
    console,
  };
}

/** Per-request fields Swift keeps in thread-locals; here they travel with a child logger. */
export interface LogContext {
  readonly txnId?: string;
  readonly clientIp?: string;
}

/** Swift's LogAdapter: level methods, NOTICE, exception(), and per-request context. */
export class SwiftLogger {
  readonly name: string;
  readonly level: number;
  readonly context: LogContext;
  readonly #std: Logger;

  constructor(std: Logger, name: string, level: number, context: LogContext = {}) {
    this.#std = std;
    this.name = name;
    this.level = level;
    this.context = context;
  }

  /** A logger that appends this request's transaction id (and client ip) to its lines. */
  child(context: LogContext): SwiftLogger {
    return new SwiftLogger(this.#std, this.name, this.level, { ...this.context, ...context });
  }

  /** Whether a line at `level` would be written. */
  isEnabledFor(level: number): boolean {
    return level >= this.level;
  }

  /** Logs `message` at a Swift level, optionally with an error's stack. */
  log(level: LevelNumber, message: string, error?: unknown): void {
    if (level < this.level) return;
    const record: SwiftRecord = { level, message, error, ...this.context };
    // @std/log has no NOTICE; its level only routes the call, the handlers use ours.
    if (level >= Level.CRITICAL) this.#std.critical(message, record);
    else if (level >= Level.ERROR) this.#std.error(message, record);
    else if (level >= Level.WARNING) this.#std.warn(message, record);
    else if (level >= Level.INFO) this.#std.info(message, record);
    else this.#std.debug(message, record);
  }

  /** Logs at DEBUG. */
  debug(message: string): void {
    this.log(Level.DEBUG, message);
  }
  /** Logs at INFO. */
  info(message: string): void {
    this.log(Level.INFO, message);
  }
  /** Logs at Swift's NOTICE (between INFO and WARNING; syslog severity 5). */
  notice(message: string): void {
    this.log(Level.NOTICE, message);
  }
  /** Logs at WARNING. */
  warning(message: string): void {
    this.log(Level.WARNING, message);
  }
  /** Logs at ERROR. */
  error(message: string): void {
    this.log(Level.ERROR, message);
  }
  /** Logs at CRITICAL. */
  critical(message: string): void {
    this.log(Level.CRITICAL, message);
  }
  /**
   * LogAdapter.exception(): network errors in one line (`msg: Connection refused`), anything
   * else as `msg: ` followed by the stack.
   */
  exception(message: string, error: unknown): void {
    const short = shortNetworkError(error);
    if (short) this.log(Level.ERROR, `${message}: ${short}`);
    else this.log(Level.ERROR, `${message}: `, error);
  }
}

/** Swift's one-line texts for the socket errors it does not log a traceback for. */
function shortNetworkError(error: unknown): string | undefined {
  if (error instanceof Deno.errors.ConnectionRefused) return "Connection refused";
  if (error instanceof Deno.errors.ConnectionReset) return "Connection reset";
  if (error instanceof Deno.errors.BrokenPipe) return "Broken pipe";
  if (error instanceof Deno.errors.TimedOut) return "Connection timeout";
  return undefined;
}

/** A logger and what it writes to. */
export interface LoggerHandle {
  readonly logger: SwiftLogger;
  /** "syslog socket /dev/log", "syslog udp host:port" or "stderr". */
  readonly destination: string;
  /** Why logs go to stderr instead of syslog, to be said once at startup. */
  readonly fallbackReason?: string;
  /** Whether stderr carries log lines (then stdio capture must leave it open). */
  readonly usesStderr: boolean;
  /** Releases sockets. */
  close(): void;
}

/** Builds the logger get_logger() would, but never loses lines silently. */
export function createLogger(settings: LogSettings): LoggerHandle {
  const base = { name: settings.name, maxLineLength: settings.maxLineLength };
  const onLoss = lossReporter(settings.name);
  const handlers: BaseHandler[] = [];
  let destination: string;
  let fallbackReason: string | undefined;
  if (settings.udpHost) {
    handlers.push(
      new UdpSyslogHandler({
        ...base,
        host: settings.udpHost,
        port: settings.udpPort,
        facility: settings.facility,
        onLoss,
      }),
    );
    destination = `syslog udp ${settings.udpHost}:${settings.udpPort}`;
  } else {
    fallbackReason = syslogSocketProblem(settings.address);
    if (fallbackReason) {
      handlers.push(new StderrHandler(base));
      destination = "stderr";
    } else {
      handlers.push(
        new UnixSyslogHandler({
          ...base,
          address: settings.address,
          facility: settings.facility,
          onLoss,
        }),
      );
      destination = `syslog socket ${settings.address}`;
    }
  }
  const usesStderr = destination === "stderr" || Boolean(settings.console);
  if (settings.console && destination !== "stderr") handlers.push(new StderrHandler(base));
  const std = new Logger(settings.name, "NOTSET", { handlers });
  return {
    logger: new SwiftLogger(std, settings.name, settings.level),
    destination,
    fallbackReason,
    usesStderr,
    close: () => handlers.forEach((h) => h.destroy()),
  };
}

/** Why `address` cannot take syslog datagrams, or undefined when it is a socket. */
function syslogSocketProblem(address: string): string | undefined {
  try {
    if (Deno.statSync(address).isSocket) return undefined;
    return `log_address "${address}" is not a socket and log_udp_host is not set`;
  } catch {
    return `log_address "${address}" does not exist and log_udp_host is not set`;
  }
}

/** Sends undeliverable lines to stderr, explaining the first loss of each kind. */
function lossReporter(name: string): LossReporter {
  const explained = new Set<string>();
  const encoder = new TextEncoder();
  return (line, reason) => {
    let text = line ? `${line}\n` : "";
    if (!explained.has(reason)) {
      explained.add(reason);
      text = `${name}: Logging to stderr instead: ${reason}\n${text}`;
    }
    writeAllSync(Deno.stderr, encoder.encode(text));
  };
}

/** A logger that writes nothing (for checks that build a pipeline and throw it away). */
export function nullLogger(name: string): SwiftLogger {
  return new SwiftLogger(new Logger(name, "NOTSET"), name, Number.POSITIVE_INFINITY);
}
