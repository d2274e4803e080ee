/**
 * The scheduler pause as every scheduled target honours it (both runtimes): a message a schedule sent
 * (`schedule`: its row's name) whose row is `held` while paused is dropped while the scheduler switch is on;
 * the next tick after resume does the work. Rows that `run` (housekeeping) and messages no schedule sent
 * (an operator's sync request, a sweep's slices) are never held.
 */
import { SCHEDULES } from '../catalog/schedules';
import { own } from '../lib/own';
import { logger } from '../observability/logger';
import { readSwitch } from '../records/switches';
import type { Deps } from './deps';

export async function heldByPausedScheduler(deps: Pick<Deps, 'store'>, message: { schedule?: string }): Promise<boolean> {
  const row = message.schedule === undefined ? undefined : own(SCHEDULES, message.schedule);
  if (!row || row.whilePaused === 'runs') return false;
  if (!(await readSwitch(deps.store, 'scheduler')).on) return false;
  logger.info('Scheduled work held: the scheduler is paused', { schedule: message.schedule });
  return true;
}
