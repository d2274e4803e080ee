import { describe, expect, it } from 'vitest';
import { cronMatches, parseScheduleExpression } from '../../shared/domain/schedule-expression';

describe('schedule expressions (EventBridge syntax)', () => {
  it('parses rates in minutes, hours and days', () => {
    expect(parseScheduleExpression('rate(15 minutes)')).toEqual({ kind: 'rate', everyMs: 15 * 60_000 });
    expect(parseScheduleExpression('rate(1 hour)')).toEqual({ kind: 'rate', everyMs: 3_600_000 });
    expect(parseScheduleExpression('rate(2 days)')).toEqual({ kind: 'rate', everyMs: 2 * 86_400_000 });
  });

  it('matches a nightly cron only at 02:00 UTC', () => {
    const expr = parseScheduleExpression('cron(0 2 * * ? *)');
    if (expr.kind !== 'cron') throw new Error('expected cron');
    expect(cronMatches(expr, new Date('2026-11-23T02:00:30Z'))).toBe(true);
    expect(cronMatches(expr, new Date('2026-11-23T02:01:00Z'))).toBe(false);
    expect(cronMatches(expr, new Date('2026-11-23T14:00:00Z'))).toBe(false);
  });

  it('supports steps, ranges, lists and day names (1 = Sunday, as in EventBridge)', () => {
    const expr = parseScheduleExpression('cron(0/15 8-17 ? * MON-FRI *)');
    if (expr.kind !== 'cron') throw new Error('expected cron');
    expect(cronMatches(expr, new Date('2026-11-23T08:45:00Z'))).toBe(true); // Monday
    expect(cronMatches(expr, new Date('2026-11-23T08:50:00Z'))).toBe(false);
    expect(cronMatches(expr, new Date('2026-11-22T08:45:00Z'))).toBe(false); // Sunday
    expect(cronMatches(expr, new Date('2026-11-23T18:00:00Z'))).toBe(false);
  });

  it('refuses what it cannot evaluate instead of misreading it', () => {
    expect(() => parseScheduleExpression('cron(0 2 L * ? *)')).toThrow(/not supported/);
    expect(() => parseScheduleExpression('cron(0 2 * *)')).toThrow(/6 fields/);
    expect(() => parseScheduleExpression('cron(61 2 * * ? *)')).toThrow(/out of range/);
    expect(() => parseScheduleExpression('every 5 minutes')).toThrow(/rate\(N minutes/);
    expect(() => parseScheduleExpression('rate(0 minutes)')).toThrow(/at least 1/);
  });
});
