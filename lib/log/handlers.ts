/**
 * @std/log handlers for Swift's destinations: a syslog Unix socket, syslog over UDP, and
 * stderr. Each formats with Swift's line format; the record's Swift fields ride in args[0].
 */
import { BaseHandler, type LogRecord } from "@std/log";
import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { Errno, UnixDatagramSender } from "../common/unix_datagram.ts";
import { formatLine, type SwiftRecord, syslogPacket } from "./format.ts";

/** The Swift fields of a @std/log record (our logger always passes them as args[0]). */
export function swiftRecordOf(record: LogRecord): SwiftRecord {
  return record.args[0] as SwiftRecord;
}

interface SwiftHandlerOptions {
  /** The log_name at the head of every line. */
  readonly name: string;
  readonly maxLineLength: number;
}

abstract class SwiftHandler extends BaseHandler {
  readonly #options: SwiftHandlerOptions;

  constructor(options: SwiftHandlerOptions) {
    super("NOTSET");
    this.#options = options;
  }

  override handle(record: LogRecord): void {
    const swift = swiftRecordOf(record);
    this.emit(swift, formatLine(this.#options.name, swift, this.#options.maxLineLength));
  }

  override log(_msg: string): void {
    throw new Error("Swift handlers emit through handle()");
  }

  /** Writes one formatted line. */
  protected abstract emit(record: SwiftRecord, line: string): void;
}

/** Takes a line that could not be delivered (a dead syslog daemon) and why. */
export type LossReporter = (line: string, reason: string) => void;

/** Syslog over the local Unix datagram socket (log_address, /dev/log by default). */
export class UnixSyslogHandler extends SwiftHandler {
  readonly #sender: UnixDatagramSender;
  readonly #facility: number;
  readonly #onLoss: LossReporter;

  constructor(
    options: SwiftHandlerOptions & { address: string; facility: number; onLoss: LossReporter },
  ) {
    super(options);
    this.#sender = new UnixDatagramSender(options.address);
    this.#facility = options.facility;
    this.#onLoss = options.onLoss;
  }

  protected emit(record: SwiftRecord, line: string): void {
    const errno = this.#sender.send(syslogPacket(this.#facility, record.level, line));
    if (errno !== 0) {
      const why = errno === Errno.EAGAIN
        ? "its queue is full"
        : errno === Errno.ECONNREFUSED || errno === Errno.ENOENT
        ? "no syslog daemon is listening"
        : `errno ${errno}`;
      this.#onLoss(line, `cannot send to syslog socket "${this.#sender.path}": ${why}`);
    }
  }

  override destroy(): void {
    this.#sender.close();
  }
}

/** Syslog over UDP (log_udp_host, log_udp_port), as Swift's UDP SysLogHandler. */
export class UdpSyslogHandler extends SwiftHandler {
  readonly #socket: dgram.Socket;
  readonly #host: string;
  readonly #port: number;
  readonly #facility: number;
  readonly #onLoss: LossReporter;
  readonly #queue: [Uint8Array, string][] = [];
  #closed = false;

  constructor(
    options: SwiftHandlerOptions & {
      host: string;
      port: number;
      facility: number;
      onLoss: LossReporter;
    },
  ) {
    super(options);
    this.#host = options.host.replace(/^\[(.*)\]$/, "$1");
    this.#port = options.port;
    this.#facility = options.facility;
    this.#onLoss = options.onLoss;
    this.#socket = dgram.createSocket(isIPv6(this.#host) ? "udp6" : "udp4");
    this.#socket.on("error", (err) => this.#onLoss("", `UDP syslog socket failed: ${err.message}`));
    // Logging must never keep a draining process alive.
    this.#socket.unref();
  }

  protected emit(record: SwiftRecord, line: string): void {
    // Deno completes a burst of concurrent UDP sends in reverse order, so lines go out one at a
    // time, each after the previous send finished.
    this.#queue.push([syslogPacket(this.#facility, record.level, line), line]);
    if (this.#queue.length === 1) this.#sendNext();
  }

  #sendNext(): void {
    const [packet, line] = this.#queue[0];
    this.#socket.send(packet, this.#port, this.#host, (err) => {
      if (err) this.#onLoss(line, `cannot send to ${this.#host}:${this.#port}: ${err.message}`);
      this.#queue.shift();
      if (this.#queue.length > 0 && !this.#closed) this.#sendNext();
    });
  }

  override destroy(): void {
    this.#closed = true;
    this.#socket.close();
  }
}

/** One line per record on stderr: Swift's console handler, and swiftd's fallback. */
export class StderrHandler extends SwiftHandler {
  static readonly #encoder = new TextEncoder();

  protected emit(_record: SwiftRecord, line: string): void {
    writeAllSync(Deno.stderr, StderrHandler.#encoder.encode(`${line}\n`));
  }
}

/** Writes every byte (writeSync may write less than asked); gives up quietly on a closed fd. */
export function writeAllSync(target: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  try {
    for (let offset = 0; offset < data.length;) offset += target.writeSync(data.subarray(offset));
  } catch {
    // stderr is gone (closed pipe): there is nowhere left to report this.
  }
}
