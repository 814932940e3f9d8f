/**
 * Swift's error limiting (Application.error_limited/error_limit/error_occurred): a node that
 * failed more than error_suppression_limit times, the last time less than
 * error_suppression_interval seconds ago, is skipped, so one dead disk does not cost every
 * request a timeout. Counts live per worker, keyed "ip:port/device" as in Swift.
 */
import { swiftLogDetail } from "../http/errors.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { RingDevice } from "../ring/ring_data.ts";

interface ErrorStats {
  errors: number;
  lastError: number;
}

/** Error counts of the storage nodes one worker talks to. */
export class ErrorLimiter {
  readonly #interval: number;
  readonly #limit: number;
  readonly #clock: () => number;
  readonly #stats = new Map<string, ErrorStats>();

  /** `interval` in seconds; `clock` returns seconds (tests move it). */
  constructor(interval: number, limit: number, clock: () => number = () => Date.now() / 1000) {
    this.#interval = interval;
    this.#limit = limit;
    this.#clock = clock;
  }

  /** error_limited(): whether `node` is to be skipped now. */
  isLimited(node: RingDevice, logger?: SwiftLogger): boolean {
    const key = nodeKey(node);
    const stats = this.#stats.get(key);
    if (stats === undefined) return false;
    if (stats.lastError < this.#clock() - this.#interval) {
      this.#stats.delete(key);
      return false;
    }
    const limited = stats.errors > this.#limit;
    if (limited) logger?.debug(`Node error limited ${node.ip}:${node.port} (${node.device})`);
    return limited;
  }

  /** error_limit(): limits `node` at once (507 Insufficient Storage), logging `msg`. */
  limit(node: RingDevice, msg: string, logger: SwiftLogger): void {
    this.#stats.set(nodeKey(node), { errors: this.#limit + 1, lastError: this.#clock() });
    logger.error(`${msg} ${node.ip}:${node.port}/${node.device}`);
  }

  /** error_occurred(): counts one error of `node` and logs `msg`. */
  occurred(node: RingDevice, msg: string, logger: SwiftLogger): void {
    this.#increment(node);
    logger.error(`${msg} ${node.ip}:${node.port}/${node.device}`);
  }

  /**
   * exception_occurred(): counts one error and logs Swift's line
   * "ERROR with Object server ip:port/dev re: INFO: DETAIL"; unexpected errors get a stack.
   */
  exception(
    node: RingDevice,
    serverType: string,
    info: string,
    err: unknown,
    logger: SwiftLogger,
  ): void {
    this.#increment(node);
    const line = `ERROR with ${serverType} server ${node.ip}:${node.port}/${node.device} ` +
      `re: ${info}`;
    // Network failures are expected: one line, like Swift's LogAdapter.exception() for them.
    if (isBackend(err)) {
      logger.error(`${line}: ${swiftLogDetail(err)}`);
    } else {
      logger.exception(line, err);
    }
  }

  /** The error count of `node` (for tests and diagnostics). */
  errorCount(node: RingDevice): number {
    return this.#stats.get(nodeKey(node))?.errors ?? 0;
  }

  #increment(node: RingDevice): void {
    const key = nodeKey(node);
    const stats = this.#stats.get(key) ?? { errors: 0, lastError: 0 };
    stats.errors += 1;
    stats.lastError = this.#clock();
    this.#stats.set(key, stats);
  }
}

function isBackend(err: unknown): boolean {
  return err instanceof Error && "swiftLogDetail" in err;
}

function nodeKey(node: RingDevice): string {
  return `${node.ip}:${node.port}/${node.device}`;
}
