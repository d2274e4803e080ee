/**
 * Where EIO's data can be recovered from: in AWS, DynamoDB point-in-time recovery and the latest backup
 * (AWS Backup's recovery points and on-demand backups of the table); locally, the latest backup of the data
 * directory (`npm run backup`). GET /api/v1/system/backups shows it, the pre-maintenance check reads it.
 */
export type RecoveryPoint = {
  id: string;
  created_at: string;
  /** `aws_backup` (the backup plan), `on_demand` (a DynamoDB backup), `local` (npm run backup). */
  kind: 'aws_backup' | 'on_demand' | 'local';
  status: string;
  size_bytes?: number;
  /** Where to restore it from: an ARN in AWS, a directory locally. */
  location: string;
};

export type BackupStatus = {
  runtime: 'aws' | 'local';
  /** AWS only: continuous backups, restorable to any second in the window. */
  point_in_time_recovery?: { enabled: boolean; earliest_restorable_at?: string; latest_restorable_at?: string };
  latest: RecoveryPoint | null;
};

export interface Backups {
  status(): Promise<BackupStatus>;
}
