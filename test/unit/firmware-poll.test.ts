import { describe, expect, it } from 'vitest';
import { type JobProgress, nextPollDelay, withAnswer } from '../../shared/domain/firmware-poll';

/** A job running from 0 to 100 % in six steps of 400 ms, asked every 200 ms from t = 100: its answers' progress. */
function answersUntil(until: number): JobProgress | undefined {
  let known: JobProgress | undefined;
  for (let at = 100; at <= until; at += 200) known = withAnswer(known, at, true, Math.round((Math.floor(at / 400) * 100) / 6));
  return known;
}

describe('nextPollDelay', () => {
  it('waits the poll interval while no job has shown progress twice', () => {
    expect(nextPollDelay(200, 0, [])).toBe(200);
    expect(nextPollDelay(200, 500, [answersUntil(500)!])).toBe(200);
  });

  it('polls right at the expected end once the progress says the job ends within the interval', () => {
    // At 2,300 ms the job showed 83 % since about 2,000 ms: it ends at about 2,400 ms, 100 ms from now.
    const delay = nextPollDelay(200, 2_300, [answersUntil(2_300)!]);
    expect(2_300 + delay).toBeGreaterThanOrEqual(2_390);
    expect(2_300 + delay).toBeLessThanOrEqual(2_430);
  });

  it('never polls sooner than a quarter of the interval, even past the expected end', () => {
    expect(nextPollDelay(200, 5_000, [answersUntil(2_300)!])).toBe(50);
  });

  it('forgets a job that stopped running or went back in its percentage', () => {
    const running = answersUntil(2_300);
    expect(withAnswer(running, 2_500, false, 100)).toBeUndefined();
    expect(withAnswer(running, 2_500, true, null)).toBeUndefined();
    expect(nextPollDelay(200, 2_500, [withAnswer(running, 2_500, true, 0)!])).toBe(200);
  });
});
