/**
 * swift.common.utils.StreamingPile.asyncstarmap(): runs `work` over the items with at most
 * `size` in flight and yields results as they complete. Work spawned is started only when the
 * consumer waits for a result, as a greenthread runs only once the spawner blocks, so the
 * subrequests reach the pipeline in the order Swift sends them (items that need subrequests of
 * their own to be produced come first).
 */
export async function* asyncStarmap<A, R>(
  size: number,
  items: AsyncIterable<A> | Iterable<A>,
  work: (item: A) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = Symbol.asyncIterator in items
    ? (items as AsyncIterable<A>)[Symbol.asyncIterator]()
    : (items as Iterable<A>)[Symbol.iterator]();
  const notStarted: A[] = [];
  const completed: ({ ok: true; value: R } | { ok: false; error: unknown })[] = [];
  let running = 0;
  let wake: (() => void) | undefined;
  const spawn = (item: A) => {
    notStarted.push(item);
    running++;
  };
  const next = async (): Promise<R> => {
    for (const item of notStarted.splice(0)) {
      work(item).then(
        (value) => completed.push({ ok: true, value }),
        (error) => completed.push({ ok: false, error }),
      ).finally(() => wake?.());
    }
    while (!completed.length) await new Promise<void>((resolve) => (wake = resolve));
    running--;
    const result = completed.shift()!;
    if (!result.ok) throw result.error;
    return result.value;
  };
  const pull = async () => {
    const step = await iterator.next();
    return step.done ? undefined : { item: step.value };
  };
  const limit = Math.max(1, size);
  for (let i = 0; i < limit; i++) {
    const got = await pull();
    if (!got) break;
    spawn(got.item);
  }
  while (true) {
    const got = await pull();
    if (!got) break;
    yield await next();
    spawn(got.item);
  }
  while (running > 0) yield await next();
}
