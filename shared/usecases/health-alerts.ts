/**
 * "Health critical" as a notification: the housekeeping sweep compares the overall level of GET /api/v1/health
 * with the one it saw last and notifies when it turns critical, naming each critical component and why.
 * Staying critical notifies once; going back to ok or degraded and critical again notifies again.
 */
import { ConflictError } from '../domain/errors';
import { isoNow } from '../ports/clock';
import { healthLevels } from '../records/health-alerts';
import type { Deps } from './deps';
import { type HealthReport, systemHealth } from './health';
import { notification, notifyOperators } from './notifications';

export async function watchHealth(deps: Deps, report?: HealthReport): Promise<{ level: HealthReport['status']; notified: boolean }> {
  const health = report ?? (await systemHealth(deps));
  const at = isoNow(deps.clock);
  const last = await healthLevels.find(deps.store, 'overall');
  if (last?.level === health.status) return { level: health.status, notified: false };
  try {
    if (last) await healthLevels.replace(deps.store, { ...last, level: health.status, changed_at: at, version: last.version + 1 });
    else await healthLevels.create(deps.store, { id: 'overall', level: health.status, changed_at: at, version: 1 });
  } catch (e) {
    if (e instanceof ConflictError) return { level: health.status, notified: false }; // another sweep recorded it
    throw e;
  }
  if (health.status !== 'critical') return { level: health.status, notified: false };
  const critical = Object.entries(health.components).filter(([, c]) => c.status === 'critical');
  await notifyOperators(
    deps,
    notification(
      'health.critical',
      at,
      'health',
      `EIO health is critical: ${critical.map(([name]) => name).join(', ')}`,
      critical.map(([name, c]) => `${name}: ${c.message}`).join('\n'),
      Object.fromEntries(critical.map(([name, c]) => [name, c.message])),
    ),
  );
  return { level: health.status, notified: true };
}
