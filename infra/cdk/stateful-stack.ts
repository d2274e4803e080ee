import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXPIRES_AT } from '../../shared/ports/store';
import { type CatalogWorkerPool, REAL_CATALOG } from './catalog';
import { acknowledge } from './nag';

/** GSI names of the single table; the Store adapter queries them and IAM grants name them exactly. */
export const TABLE_INDEXES = ['gsi1', 'gsi2'] as const;

export type PoolQueues = { queue: sqs.Queue; dlq: sqs.Queue };

export type EioStatefulStackProps = StackProps & {
  /** Worker pools to create queues for; defaults to the real WORKER_POOLS table. */
  workerPools?: Readonly<Record<string, CatalogWorkerPool>>;
};

/**
 * Everything that holds data and must survive a redeploy of the code: the table and the pool queues.
 *
 * Encryption uses AWS-managed keys, not a customer-managed KMS key: the table holds inventory, job and audit
 * records but never credentials (those are in Secrets Manager), so a CMK would buy key-policy control
 * nobody needs here while costing a KMS grant on every consumer, EventBridge Scheduler and Lambda event
 * source included. SSE-SQS (SQS-owned keys) keeps Scheduler able to send without KMS permissions.
 */
export class EioStatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly indexNames: readonly string[] = TABLE_INDEXES;
  /** Pool name → its queue and dead-letter queue. */
  readonly queues: Readonly<Record<string, PoolQueues>>;
  /** Daily AWS Backup recovery points of the table, kept 35 days, beside point-in-time recovery. */
  readonly backupPlan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: EioStatefulStackProps = {}) {
    super(scope, id, props);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Audit entries, job steps and idempotency keys carry it (RETENTION_* settings); nothing else expires.
      timeToLiveAttribute: EXPIRES_AT,
    });
    for (const name of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: name,
        partitionKey: { name: `${name}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${name}sk`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Point-in-time recovery restores any second of the last 35 days, but only into a new table of this
    // account and region, and goes with the table; AWS Backup's daily points live in their own vault
    // (retained when the stack goes), can be copied elsewhere, and are what GET /api/v1/system/backups shows.
    const vault = new backup.BackupVault(this, 'BackupVault', { removalPolicy: RemovalPolicy.RETAIN });
    this.backupPlan = backup.BackupPlan.daily35DayRetention(this, 'BackupPlan', vault);
    // A role for this table only, instead of the AWS-managed backup policy that reaches every service.
    const backupRole = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup of the EIO table',
      inlinePolicies: {
        BackUpTable: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['dynamodb:DescribeTable', 'dynamodb:CreateBackup', 'dynamodb:StartAwsBackupJob', 'dynamodb:ListTagsOfResource'],
              resources: [this.table.tableArn],
            }),
            new iam.PolicyStatement({
              actions: ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'],
              resources: [`${this.table.tableArn}/backup/*`],
            }),
          ],
        }),
      },
    });
    acknowledge(
      backupRole,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable)}.Arn>/backup/*]`,
      'AWS Backup names each recovery point of the EIO table itself (table/<name>/backup/<id>): the role may describe and ' +
        'expire the backups of this one table only.',
    );
    this.backupPlan.addSelection('Table', {
      resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
      role: backupRole,
      disableDefaultBackupPolicy: true,
    });

    const queues: Record<string, PoolQueues> = {};
    for (const [pool, spec] of Object.entries(props.workerPools ?? REAL_CATALOG.workerPools)) {
      const dlq = new sqs.Queue(this, `${pool}-dlq`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14), // the SQS maximum: time for an operator to inspect and redrive
      });
      const queue = new sqs.Queue(this, `${pool}-queue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      // Queues hold in-flight work only; losing them on stack deletion loses nothing the table cannot rebuild.
      queues[pool] = { queue, dlq };
    }
    this.queues = queues;

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'EIO single table' });
  }
}
