import { performance } from 'node:perf_hooks';

/** Runs fn(0..count-1) with at most `concurrency` in flight; stops launching new ones after `budgetMs`. */
export async function pool(count: number, concurrency: number, budgetMs: number, fn: (i: number) => Promise<void>): Promise<{ done: number; ms: number }> {
  const start = performance.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < count && performance.now() - start < budgetMs) {
      const i = next++;
      await fn(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { done, ms: performance.now() - start };
}

/** `pool` over the items of an array. */
export const poolOver = <T>(items: readonly T[], concurrency: number, budgetMs: number, fn: (item: T) => Promise<void>) =>
  pool(items.length, concurrency, budgetMs, (i) => fn(items[i]));
