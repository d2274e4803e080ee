/**
 * Backups in AWS, read from DynamoDB itself: point-in-time recovery (DescribeContinuousBackups) and the newest
 * backup of the table (ListBackups lists AWS Backup's recovery points of a DynamoDB table as well as on-demand
 * backups), so no Backup client is needed to answer "is there a recent backup?".
 */
import { DescribeContinuousBackupsCommand, type DynamoDBClient, ListBackupsCommand } from '@aws-sdk/client-dynamodb';
import type { BackupStatus, Backups, RecoveryPoint } from '../../ports/backups';

const LOOKBACK_DAYS = 35; // the backup plan keeps dailies 35 days; older points are not "latest" anyway

export class DynamoDbBackups implements Backups {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async status(): Promise<BackupStatus> {
    const [pitr, latest] = await Promise.all([this.pointInTime(), this.latest()]);
    return { runtime: 'aws', point_in_time_recovery: pitr, latest };
  }

  private async pointInTime(): Promise<BackupStatus['point_in_time_recovery']> {
    const d = await this.client.send(new DescribeContinuousBackupsCommand({ TableName: this.tableName }));
    const p = d.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    return {
      enabled: p?.PointInTimeRecoveryStatus === 'ENABLED',
      ...(p?.EarliestRestorableDateTime ? { earliest_restorable_at: p.EarliestRestorableDateTime.toISOString() } : {}),
      ...(p?.LatestRestorableDateTime ? { latest_restorable_at: p.LatestRestorableDateTime.toISOString() } : {}),
    };
  }

  private async latest(): Promise<RecoveryPoint | null> {
    let newest: RecoveryPoint | null = null;
    let start: string | undefined;
    const lowerBound = new Date(Date.now() - LOOKBACK_DAYS * 86_400_000);
    do {
      const page = await this.client.send(
        new ListBackupsCommand({
          TableName: this.tableName,
          BackupType: 'ALL',
          TimeRangeLowerBound: lowerBound,
          ExclusiveStartBackupArn: start,
        }),
      );
      for (const b of page.BackupSummaries ?? []) {
        const at = b.BackupCreationDateTime?.toISOString();
        if (!at || !b.BackupArn || (newest && newest.created_at >= at)) continue;
        newest = {
          id: b.BackupName ?? b.BackupArn,
          created_at: at,
          kind: b.BackupType === 'AWS_BACKUP' ? 'aws_backup' : 'on_demand',
          status: (b.BackupStatus ?? 'UNKNOWN').toLowerCase(),
          ...(b.BackupSizeBytes !== undefined ? { size_bytes: b.BackupSizeBytes } : {}),
          location: b.BackupArn,
        };
      }
      start = page.LastEvaluatedBackupArn;
    } while (start);
    return newest;
  }
}
