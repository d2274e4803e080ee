/**
 * EventBridge Scheduler expressions, evaluated locally so the local stack fires the same schedule table CDK
 * deploys: `rate(15 minutes)` and six-field `cron(min hour day-of-month month day-of-week year)` in UTC,
 * with `*`, `?`, lists, ranges and `/` steps. (EventBridge's L, W and # are refused rather than misread.)
 */
export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number }
  | { kind: 'cron'; fields: Set<number>[] /* minute, hour, dom, month, dow(0=Sun), year */ };

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [1, 7],
  [1970, 2199],
];
const NAMES: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
  SUN: 1,
  MON: 2,
  TUE: 3,
  WED: 4,
  THU: 5,
  FRI: 6,
  SAT: 7,
};

function parseField(text: string, index: number): Set<number> {
  const [lo, hi] = RANGES[index]!;
  const out = new Set<number>();
  const num = (s: string): number => {
    const v = NAMES[s.toUpperCase()] ?? Number(s);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`'${s}' is out of range ${lo}-${hi}`);
    return v;
  };
  for (const part of text.split(',')) {
    if (/[LW#]/i.test(part.replace(/^(JUL|WED)$/i, ''))) throw new Error(`'${part}' (L, W, #) is not supported`);
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`step '${stepText}' must be a positive integer`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') [from, to] = [lo, hi];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [from, to] = [num(a), num(b)];
    } else [from, to] = [num(range), stepText === undefined ? num(range) : hi];
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new Error(`Invalid schedule '${expression}': the rate must be at least 1`);
    return { kind: 'rate', everyMs: n * UNIT_MS[rate[2]!.replace(/s$/, '')]! };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const parts = cron[1]!.trim().split(/\s+/);
    if (parts.length !== 6) throw new Error(`Invalid schedule '${expression}': cron needs 6 fields`);
    try {
      return { kind: 'cron', fields: parts.map(parseField) };
    } catch (e) {
      throw new Error(`Invalid schedule '${expression}': ${(e as Error).message}`);
    }
  }
  throw new Error(`Invalid schedule '${expression}': use rate(N minutes|hours|days) or cron(6 fields)`);
}

/** Whether a cron expression fires in the UTC minute that contains `at`. */
export function cronMatches(expr: Extract<ScheduleExpression, { kind: 'cron' }>, at: Date): boolean {
  const [min, hour, dom, month, dow, year] = expr.fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return (
    min.has(at.getUTCMinutes()) &&
    hour.has(at.getUTCHours()) &&
    dom.has(at.getUTCDate()) &&
    month.has(at.getUTCMonth() + 1) &&
    dow.has(at.getUTCDay() + 1) &&
    year.has(at.getUTCFullYear())
  );
}
