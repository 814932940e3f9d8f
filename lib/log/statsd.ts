/**
 * Swift's StatsdClient (swift/common/utils.py): metrics as UDP datagrams
 * `<prefix><name>:<value>|<type>[|@<rate>]`, the prefix being `log_statsd_metric_prefix.` and
 * a tail (the server or logger name) joined with dots, each part only when non-empty.
 *
 * Values are written as Python's `%s` writes them: timings are floats (`12.0`, `0.3125`,
 * `1e-05`), counters integers. A sample rate below 1 sends one event in `rate` at random and
 * says so with `|@rate`, which statsd uses to scale the count back up.
 *
 * Metrics must never slow a request down or fail it: every send is fire-and-forget, a host
 * name is resolved off the request path, and a failed send is logged as a warning, as Swift
 * does, never thrown.
 */
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import type { LOG_OPTIONS } from "../config/options/logging.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { SwiftLogger } from "./logger.ts";

/** What a StatsdClient sends to, and how it names and samples metrics. */
export interface StatsdClientOptions {
  readonly host: string;
  readonly port: number;
  /** log_statsd_metric_prefix. */
  readonly basePrefix?: string;
  /** The server or logger the metrics belong to (`proxy-server`, `object-auditor`...). */
  readonly tailPrefix?: string;
  /** log_statsd_default_sample_rate: the rate of calls that pass none. */
  readonly defaultSampleRate?: number;
  /** log_statsd_sample_rate_factor: multiplies every rate. */
  readonly sampleRateFactor?: number;
  /** Where failed sends are reported (Swift logs them as warnings on the owning logger). */
  readonly logger?: SwiftLogger;
  /** Python's random.random(); tests replace it to make sampling deterministic. */
  readonly random?: () => number;
}

type Family = "udp4" | "udp6";

/** Datagrams kept while one is being sent; more are dropped. */
const MAX_QUEUED = 10_000;

/** Swift's StatsdClient: counters, timings and transfer rates sent to one statsd server. */
export class StatsdClient {
  /** `<base>.<tail>.`, `<tail>.`, `<base>.` or "", prepended to every metric name. */
  readonly prefix: string;
  readonly #host: string;
  readonly #port: number;
  readonly #defaultSampleRate: number;
  readonly #sampleRateFactor: number;
  readonly #logger?: SwiftLogger;
  readonly #random: () => number;
  /** The socket, once the host's address family is known. */
  #socket?: dgram.Socket;
  /**
   * Datagrams waiting for the one in flight. Deno completes concurrent UDP sends last-first,
   * so they go one at a time to arrive in the order Swift's synchronous sendto() gives them.
   */
  readonly #queue: Uint8Array[] = [];
  #sending = false;
  #closed = false;

  constructor(options: StatsdClientOptions) {
    const base = options.basePrefix ?? "";
    const tail = options.tailPrefix ?? "";
    this.prefix = [base, tail].filter(Boolean).map((part) => `${part}.`).join("");
    this.#host = options.host;
    this.#port = options.port;
    this.#defaultSampleRate = options.defaultSampleRate ?? 1;
    this.#sampleRateFactor = options.sampleRateFactor ?? 1;
    this.#logger = options.logger;
    this.#random = options.random ?? Math.random;
    // Swift asks getaddrinfo() for an IPv4 address first, then IPv6, and assumes IPv4 when
    // both fail (a transient DNS failure must not stop the server). The name itself is kept
    // and resolved again at each send, so DNS changes take effect without a restart.
    if (isIPv6(this.#host)) this.#open("udp6");
    else if (isIPv4(this.#host)) this.#open("udp4");
    else {
      // Sends queue up until the family is known.
      this.#sending = true;
      addressFamily(this.#host).then((family) => {
        this.#open(family);
        this.#sending = false;
        this.#flush();
      });
    }
  }

  /** update_stats(): adds `value` to the counter `metric`. */
  updateStats(metric: string, value: number, sampleRate?: number): void {
    this.#send(metric, Number.isInteger(value) ? String(value) : pythonFloatRepr(value), "c", {
      sampleRate,
    });
  }

  /** increment(): adds 1 to the counter `metric`. */
  increment(metric: string, sampleRate?: number): void {
    this.updateStats(metric, 1, sampleRate);
  }

  /** decrement(): subtracts 1 from the counter `metric`. */
  decrement(metric: string, sampleRate?: number): void {
    this.updateStats(metric, -1, sampleRate);
  }

  /** timing(): a duration in milliseconds (written as a Python float). */
  timing(metric: string, timingMs: number, sampleRate?: number): void {
    this.#send(metric, pythonFloatRepr(timingMs), "ms", { sampleRate });
  }

  /** timing_since(): the milliseconds since `origTime`, in seconds since the epoch. */
  timingSince(metric: string, origTime: number, sampleRate?: number): void {
    this.timing(metric, (Date.now() / 1000 - origTime) * 1000, sampleRate);
  }

  /** transfer_rate(): milliseconds per kilobyte; nothing is sent when no byte moved. */
  transferRate(metric: string, elapsedTime: number, byteXfer: number, sampleRate?: number): void {
    // Same operations in the same order as Swift, so the float is the same to the last bit.
    if (byteXfer) this.timing(metric, elapsedTime * 1000 / byteXfer * 1000, sampleRate);
  }

  /** Closes the socket; later metrics are dropped. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#socket?.close();
    this.#socket = undefined;
  }

  #open(family: Family): void {
    if (this.#closed) return;
    const socket = dgram.createSocket(family);
    socket.on("error", (err) => this.#warn(err));
    // Metrics must never keep a draining worker alive.
    socket.unref();
    this.#socket = socket;
  }

  #send(metric: string, value: string, type: string, opts: { sampleRate?: number }): void {
    if (this.#closed) return;
    const rate = (opts.sampleRate ?? this.#defaultSampleRate) * this.#sampleRateFactor;
    let payload = `${this.prefix}${metric}:${value}|${type}`;
    if (rate < 1) {
      if (!(this.#random() < rate)) return;
      payload += `|@${pythonFloatRepr(rate)}`;
    }
    // A statsd server that cannot keep up must cost neither memory nor latency: past the
    // limit, metrics are dropped as a full socket buffer would drop them.
    if (this.#queue.length >= MAX_QUEUED) return;
    this.#queue.push(new TextEncoder().encode(payload));
    this.#flush();
  }

  #flush(): void {
    if (this.#sending || this.#closed || !this.#socket) return;
    const data = this.#queue.shift();
    if (!data) return;
    this.#sending = true;
    const done = (err?: Error | null) => {
      if (err) this.#warn(err);
      this.#sending = false;
      this.#flush();
    };
    try {
      this.#socket.send(data, this.#port, this.#host, done);
    } catch (err) {
      done(err as Error);
    }
  }

  #warn(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.#logger?.warning(
      `Error sending UDP message to ('${this.#host}', ${this.#port}): ${message}`,
    );
  }
}

/** IPv4 when the name has an A record, else IPv6 when it has an AAAA one, else IPv4. */
async function addressFamily(host: string): Promise<Family> {
  for (const family of [4, 6] as const) {
    try {
      await lookup(host, { family });
      return family === 4 ? "udp4" : "udp6";
    } catch {
      // Try the next family.
    }
  }
  return "udp4";
}

/** The log_statsd_* settings of a logger config (lib/config/options/logging.ts). */
export type StatsdSettings = Pick<
  TypedConfig<typeof LOG_OPTIONS>,
  | "log_statsd_host"
  | "log_statsd_port"
  | "log_statsd_metric_prefix"
  | "log_statsd_default_sample_rate"
  | "log_statsd_sample_rate_factor"
>;

/**
 * The client get_logger() attaches when log_statsd_host is set (undefined when it is not, and
 * metrics are then skipped, as Swift's logger does). `tailPrefix` is what Swift passes as
 * statsd_tail_prefix, or the logger's name.
 */
export function createStatsdClient(
  options: StatsdSettings,
  tailPrefix: string,
  extras: { logger?: SwiftLogger; random?: () => number } = {},
): StatsdClient | undefined {
  if (!options.log_statsd_host) return undefined;
  return new StatsdClient({
    host: options.log_statsd_host,
    port: options.log_statsd_port,
    basePrefix: options.log_statsd_metric_prefix,
    tailPrefix,
    defaultSampleRate: options.log_statsd_default_sample_rate,
    sampleRateFactor: options.log_statsd_sample_rate_factor,
    ...extras,
  });
}
