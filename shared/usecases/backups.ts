/**
 * GET /api/v1/system/backups: the latest recovery point and, in AWS, the point-in-time recovery window, with
 * the latest backup's age, which the pre-maintenance checklist's "recent backup verified" asks about.
 */
import type { BackupStatus } from '../ports/backups';
import type { Deps } from './deps';

export type BackupReport = BackupStatus & { checked_at: string; latest_age_hours: number | null };

export async function backupReport(deps: Pick<Deps, 'backups' | 'clock'>): Promise<BackupReport> {
  if (!deps.backups) throw new Error('this container has no backups port');
  const status = await deps.backups.status();
  const now = deps.clock.now();
  return {
    ...status,
    checked_at: new Date(now).toISOString(),
    latest_age_hours: status.latest ? Math.round((now - Date.parse(status.latest.created_at)) / 360_000) / 10 : null,
  };
}
