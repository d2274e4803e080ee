import { SCHEDULES, type ScheduleSpec, scheduleInput } from '../../shared/catalog/schedules';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { cronMatches, parseScheduleExpression } from '../../shared/domain/schedule-expression';
import { logger } from '../../shared/observability/logger';
import type { Queue } from '../../shared/ports/queue';

/**
 * Fires the schedule table in-process, as EventBridge Scheduler does in AWS: each due row sends its message,
 * named after the row, to its pool's queue. Like EventBridge it fires while the scheduler is paused: the
 * pool's worker decides what a paused scheduler holds (usecases/scheduled-work.ts), in both runtimes alike.
 */
export class LocalScheduler {
  private timer?: NodeJS.Timeout;
  private readonly lastFired = new Map<string, number>();
  private readonly parsed;

  constructor(
    private readonly queue: Queue,
    private readonly opts: { schedules?: Record<string, ScheduleSpec>; now?: () => number } = {},
  ) {
    const schedules = opts.schedules ?? SCHEDULES;
    this.parsed = Object.entries(schedules).map(([name, spec]) => {
      if (!WORKER_POOLS[spec.pool] && !opts.schedules) throw new Error(`Schedule '${name}' targets unknown pool '${spec.pool}'`);
      return { name, spec, expr: parseScheduleExpression(spec.expression) };
    });
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  start(): void {
    const started = this.now();
    for (const p of this.parsed) this.lastFired.set(p.name, started);
    this.timer = setInterval(() => void this.tick(), 15_000);
    this.timer.unref();
  }

  /** Fires every schedule due at the current time; exposed so tests can drive time. */
  async tick(): Promise<string[]> {
    const now = this.now();
    const fired: string[] = [];
    for (const { name, spec, expr } of this.parsed) {
      const last = this.lastFired.get(name) ?? now;
      const due =
        expr.kind === 'rate'
          ? now - last >= expr.everyMs
          : Math.floor(now / 60_000) > Math.floor(last / 60_000) && cronMatches(expr, new Date(now));
      if (!due) continue;
      this.lastFired.set(name, now);
      try {
        await this.queue.send(spec.pool, [{ body: scheduleInput(name, spec) }]);
        fired.push(name);
        logger.info('Schedule fired', { schedule: name, pool: spec.pool });
      } catch (e) {
        logger.error('Schedule could not send its message', { schedule: name, error: e as Error });
      }
    }
    return fired;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
