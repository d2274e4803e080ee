/**
 * Small async helpers every layer may use (no I/O of their own): a bounded-concurrency map and a deadline
 * on a promise. One copy each, so a fix (a timer left running, results out of order) lands everywhere.
 */

/** Runs `fn` over `items`, at most `limit` at once, and returns the results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/**
 * `work`'s outcome if it settles within `ms`, otherwise `onTimeout()`'s (which may throw to reject instead).
 * The timer never outlives the race, so nothing keeps the process alive; `work` itself is not cancelled.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (e) {
        reject(e);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
