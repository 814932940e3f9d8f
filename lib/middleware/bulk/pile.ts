/**
 * swift.common.utils.StreamingPile (a GreenAsyncPile over a GreenPool) of Swift 2.30: at most
 * `size` jobs in flight, results in the order they complete, jobs that throw dropped (its
 * DEAD), and more jobs spawned while results are being read (bulk's container delete retries).
 *
 * A spawned greenthread only runs once the spawner blocks, so jobs are started when the
 * consumer waits (for a result, a free slot or a sleep) and not when they are spawned: the
 * subrequests reach the pipeline in the order Swift sends them.
 */

interface Done<R> {
  readonly ok: boolean;
  readonly value?: R;
}

/** The pile; `spawn()` and the iteration methods are called by one consumer. */
export class StreamingPile<R> {
  readonly #size: number;
  readonly #scheduled: (() => Promise<R>)[] = [];
  readonly #results: Done<R>[] = [];
  #inflight = 0;
  #wake: (() => void) | undefined;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  /** GreenPool.spawn(): waits for a free slot when the pool is full. */
  async spawn(job: () => Promise<R>): Promise<void> {
    while (this.#inflight >= this.#size) {
      this.start();
      await this.#completion();
    }
    this.#scheduled.push(job);
    this.#inflight++;
  }

  /** Lets the spawned jobs run (what a blocking greenthread gives the others). */
  start(): void {
    for (const job of this.#scheduled.splice(0)) {
      let settled: Promise<R>;
      try {
        settled = job();
      } catch (err) {
        settled = Promise.reject(err);
      }
      settled.then(
        (value) => this.#results.push({ ok: true, value }),
        () => this.#results.push({ ok: false }),
      ).finally(() => {
        this.#inflight--;
        this.#wake?.();
      });
    }
  }

  #completion(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** GreenAsyncPile.__next__(): the next result, or undefined once nothing is in flight. */
  async next(): Promise<{ value: R } | undefined> {
    for (;;) {
      const done = this.#results.shift();
      if (done) {
        if (done.ok) return { value: done.value as R };
        continue;
      }
      if (this.#inflight === 0) return undefined;
      this.start();
      await this.#completion();
    }
  }

  /** `for result in pile`: every result still pending. */
  async *drain(): AsyncGenerator<R> {
    for (let got = await this.next(); got; got = await this.next()) yield got.value;
  }

  /** StreamingPile.asyncstarmap(): `work` over the items, results as they complete. */
  async *asyncstarmap<A>(
    items: AsyncIterable<A> | Iterable<A>,
    work: (item: A) => Promise<R>,
  ): AsyncGenerator<R> {
    const iterator = Symbol.asyncIterator in items
      ? (items as AsyncIterable<A>)[Symbol.asyncIterator]()
      : (items as Iterable<A>)[Symbol.iterator]();
    for (let i = 0; i < this.#size; i++) {
      const step = await iterator.next();
      if (step.done) break;
      await this.spawn(() => work(step.value));
    }
    for (;;) {
      const step = await iterator.next();
      if (step.done) break;
      const got = await this.next();
      // Swift 2.30 calls next() bare here: with every job dead, PEP 479 makes it an error.
      if (!got) throw new Error("generator raised StopIteration");
      yield got.value;
      await this.spawn(() => work(step.value));
    }
    yield* this.drain();
  }
}
