/** What the rollout benchmarks share: time covered by intervals (tasks that ran), and an API call that must answer as expected. */
import type { Harness } from '../../test/support/harness';

export type Interval = [number, number];

/** Total length of the union of intervals. */
export function unionLength(xs: Interval[]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...xs].sort((p, q) => p[0] - q[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
/** Length of [a, b] covered by the intervals. */
export const coveredIn = (xs: Interval[], [a, b]: Interval) =>
  unionLength(xs.map(([x, y]): Interval => [Math.max(x, a), Math.min(y, b)]).filter(([x, y]) => y > x));

export async function must(p: ReturnType<Harness['call']>, status: number, what: string) {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body;
}
