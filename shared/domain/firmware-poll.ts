/**
 * When to ask an iDRAC again about its running update jobs: after the poll interval, or sooner when a job's
 * progress says it ends before then, so its end is noticed soon after it happens. Never sooner than a quarter
 * of the interval: the interval stays what an operator set as polite for one iDRAC, near a job's end included.
 */

type Point = { at: number; percent: number };

/**
 * A running job as the iDRAC's answers showed it: the last answer, and the first and last change of its
 * percentage, each placed halfway between the answer that showed it and the one before (when it happened,
 * as near as the polls can tell).
 */
export type JobProgress = { answeredAt: number; percent: number; first?: Point; last?: Point };

/** The progress known after one more answer about a job: kept while it runs with a percentage, dropped otherwise. */
export function withAnswer(known: JobProgress | undefined, at: number, running: boolean, percent: number | null): JobProgress | undefined {
  if (!running || percent === null) return undefined;
  if (!known || percent < known.percent) return { answeredAt: at, percent };
  if (percent === known.percent) return { ...known, answeredAt: at };
  const change = { at: (known.answeredAt + at) / 2, percent };
  return { answeredAt: at, percent, first: known.first ?? change, last: change };
}

/** Milliseconds from `now` until the next poll: the interval, or until the soonest expected end (two changes seen). */
export function nextPollDelay(pollMs: number, now: number, running: Iterable<JobProgress>): number {
  const floor = Math.ceil(pollMs / 4);
  let delay = pollMs;
  for (const { first, last } of running) {
    if (!first || !last || last.percent >= 100) continue;
    const done = last.percent - first.percent;
    const took = last.at - first.at;
    if (done <= 0 || took <= 0) continue;
    const endsAt = last.at + ((100 - last.percent) * took) / done;
    delay = Math.min(delay, Math.max(floor, Math.ceil(endsAt - now)));
  }
  return delay;
}
