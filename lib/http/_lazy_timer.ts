/**
 * A timeout re-armed for every read or write of a connection, without a setTimeout per
 * operation: Deno's timers cost an op and an allocation each, which profiling showed as the
 * largest single client cost of a small GET. Arming only moves a deadline; the one pending
 * timer, when it fires early, sleeps again until the deadline (the trick eventlet's hub and
 * Swift's Watchdog use too). A timer never outlives its deadline by more than one period, and
 * clear() (on close) removes it at once.
 *
 * @module
 */

/** A re-armable deadline calling `onExpire` if it passes while armed. */
export class LazyTimer {
  readonly #onExpire: () => void;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #firesAt = 0;
  #deadline = 0;
  #armed = false;
  readonly #tick = () => {
    this.#handle = undefined;
    if (!this.#armed) return;
    const left = this.#deadline - Date.now();
    if (left > 0) {
      this.#schedule(left);
      return;
    }
    this.#armed = false;
    this.#onExpire();
  };

  /** Calls `onExpire` when an armed deadline passes. */
  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  /** Starts (or restarts) the countdown of `ms` milliseconds. */
  arm(ms: number): void {
    const deadline = Date.now() + ms;
    this.#deadline = deadline;
    this.#armed = true;
    if (this.#handle !== undefined) {
      if (this.#firesAt <= deadline) return;
      // A shorter timeout than the pending timer's: fire sooner.
      clearTimeout(this.#handle);
    }
    this.#schedule(ms);
  }

  /** Stops the countdown; the pending timer, if any, lapses harmlessly. */
  disarm(): void {
    this.#armed = false;
  }

  /** Stops the countdown and removes the pending timer. */
  clear(): void {
    this.#armed = false;
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #schedule(ms: number): void {
    this.#firesAt = Date.now() + ms;
    const handle = setTimeout(this.#tick, ms);
    // An idle connection's lapsing timer must not keep the process alive.
    Deno.unrefTimer(handle);
    this.#handle = handle;
  }
}
