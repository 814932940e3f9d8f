/**
 * @std/log handlers for Swift's destinations: a syslog Unix socket, syslog over UDP, and
 * stderr. Each formats with Swift's line format; the record's Swift fields ride in args[0].
 */
import { BaseHandler, type LogRecord } from "@std/log";
import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { Errno, UnixDatagramSender } from "../common/unix_datagram.ts";
import { formatLine, type SwiftRecord, syslogPacket } from "./format.ts";
import { UdpSender } from "./udp_sender.ts";

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
  readonly #direct: UdpSender | undefined;
  readonly #socket: dgram.Socket | undefined;
  readonly #host: string;
  readonly #port: number;
  readonly #facility: number;
  readonly #onLoss: LossReporter;
  /** Lines waiting for node:dgram (host names only); #head is the next one to send. */
  #queue: [Uint8Array, string][] = [];
  #head = 0;
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
    // An IP address (the usual log_udp_host) gets a synchronous sendto(), as Python does.
    this.#direct = UdpSender.forIp(this.#host, this.#port);
    if (this.#direct) return;
    this.#socket = dgram.createSocket(isIPv6(this.#host) ? "udp6" : "udp4");
    this.#socket.on("error", (err) => this.#onLoss("", `UDP syslog socket failed: ${err.message}`));
    // Logging must never keep a draining process alive.
    this.#socket.unref();
  }

  protected emit(record: SwiftRecord, line: string): void {
    const packet = syslogPacket(this.#facility, record.level, line);
    if (this.#direct) {
      const errno = this.#direct.send(packet);
      if (errno !== 0) {
        const why = errno === Errno.EAGAIN ? "its socket buffer is full" : `errno ${errno}`;
        this.#onLoss(line, `cannot send to ${this.#host}:${this.#port}: ${why}`);
      }
      return;
    }
    if (this.#queue.length - this.#head >= MAX_QUEUED_LINES) {
      this.#onLoss(line, `cannot send to ${this.#host}:${this.#port}: too many lines queued`);
      return;
    }
    // Deno completes a burst of concurrent UDP sends in reverse order, so lines go out one at a
    // time, each after the previous send finished.
    this.#queue.push([packet, line]);
    if (this.#queue.length - this.#head === 1) this.#sendNext();
  }

  #sendNext(): void {
    const [packet, line] = this.#queue[this.#head];
    this.#socket!.send(packet, this.#port, this.#host, (err) => {
      if (err) this.#onLoss(line, `cannot send to ${this.#host}:${this.#port}: ${err.message}`);
      this.#head++;
      // Dropping the sent head now and then keeps both the memory and each step O(1).
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (this.#queue.length > this.#head && !this.#closed) this.#sendNext();
    });
  }

  override destroy(): void {
    this.#closed = true;
    this.#direct?.close();
    this.#socket?.close();
  }
}

/** Lines a UDP handler keeps while a host name's sends lag behind; later ones are lost. */
const MAX_QUEUED_LINES = 10_000;

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
