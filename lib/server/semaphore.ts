/**
 * A counting semaphore with a FIFO queue: Swift's RestrictedGreenPool(max_clients) for a
 * Deno worker. A request holds one permit while it runs; later requests wait in arrival order.
 */

/** One held permit; releasing twice is harmless. */
export interface Permit extends Disposable {
  release(): void;
}

interface Waiter {
  resolve: (permit: Permit) => void;
  reject: (err: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
  done: boolean;
}

/** Thrown by acquire() when the wait exceeded its timeout. */
export class SemaphoreTimeout extends Error {
  constructor(ms: number) {
    super(`No permit became free within ${ms} ms`);
    this.name = "SemaphoreTimeout";
  }
}

/** FIFO counting semaphore. */
export class Semaphore {
  readonly size: number;
  #free: number;
  #queue: Waiter[] = [];
  #head = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Semaphore size must be an integer >= 1: current value is ${size}`);
    }
    this.size = size;
    this.#free = size;
  }

  /** Permits held now. */
  get inUse(): number {
    return this.size - this.#free;
  }

  /** Callers waiting for a permit now. */
  get waiting(): number {
    let count = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i].done) count++;
    return count;
  }

  /** Waits for a permit, at most `timeoutMs` when given (then rejects with SemaphoreTimeout). */
  acquire(timeoutMs?: number): Promise<Permit> {
    if (this.#free > 0 && this.waiting === 0) {
      this.#free--;
      return Promise.resolve(this.#permit());
    }
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, done: false };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          waiter.done = true;
          reject(new SemaphoreTimeout(timeoutMs));
        }, timeoutMs);
      }
      this.#queue.push(waiter);
    });
  }

  #permit(): Permit {
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.#handOver();
    };
    return { release, [Symbol.dispose]: release };
  }

  /** Gives a released permit to the oldest live waiter, or returns it to the pool. */
  #handOver(): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head++];
      if (waiter.done) continue;
      waiter.done = true;
      clearTimeout(waiter.timer);
      this.#compact();
      waiter.resolve(this.#permit());
      return;
    }
    this.#compact();
    this.#free++;
  }

  #compact(): void {
    // Drop the consumed head of the queue now and then, so it never grows without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
