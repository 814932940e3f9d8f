/**
 * swift.common.utils.RateLimitedIterator over EventletRateLimiter: after `limitAfter` items,
 * at most `perSecond` items a second, so one large-object GET cannot flood the object servers
 * with tiny segment requests. A rate of 0 never waits.
 */

/** Time as the large-object middlewares read it; tests pass their own. */
export interface Clock {
  /** Seconds since the epoch. */
  now(): number;
  /** Waits `seconds`. */
  sleep(seconds: number): Promise<void>;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now() / 1000,
  sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
};

/** How a RateLimitedIterator is set up. */
export interface RateLimit {
  readonly perSecond: number;
  /** Items let through before limiting starts. */
  readonly limitAfter: number;
  readonly clock: Clock;
}

/** AbstractRateLimiter with rate_buffer=5 s, burst_after_idle=False, blocking. */
class RateLimiter {
  readonly #timePerIncr: number;
  readonly #clock: Clock;
  #runningTime = 0;

  constructor(maxRate: number, clock: Clock) {
    this.#timePerIncr = maxRate ? 1000 / maxRate : 0;
    this.#clock = clock;
  }

  async wait(maxRate: number): Promise<void> {
    if (maxRate <= 0) return;
    const now = this.#clock.now() * 1000;
    if (now - this.#runningTime > 5000) this.#runningTime = now;
    if (now >= this.#runningTime) {
      this.#runningTime += this.#timePerIncr;
      return;
    }
    const sleep = (this.#runningTime - now) / 1000;
    this.#runningTime += this.#timePerIncr;
    await this.#clock.sleep(sleep);
  }
}

/** The items of `source`, rate limited where `counts(item)` says they count. */
export async function* rateLimited<T>(
  source: AsyncIterable<T>,
  limit: RateLimit,
  counts: (item: T) => boolean = () => true,
): AsyncGenerator<T> {
  const limiter = new RateLimiter(limit.perSecond, limit.clock);
  let limitAfter = limit.limitAfter;
  for await (const item of source) {
    if (counts(item)) {
      if (limitAfter > 0) limitAfter -= 1;
      else await limiter.wait(limit.perSecond);
    }
    yield item;
  }
}
