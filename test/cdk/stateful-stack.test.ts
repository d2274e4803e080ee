import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_CATALOG } from './fixtures/catalog';
import { resourcesOf, synthEio, type TestApp } from './synth';

let eio: TestApp;
beforeAll(() => {
  eio = synthEio();
});

describe('EioStatefulStack table', () => {
  it('is the single table: pk/sk strings, on demand, PITR, deletion protection, retained, encrypted, TTL', () => {
    const tables = resourcesOf(eio.templates.stateful, 'AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const [table] = Object.values(tables);
    expect(table!.DeletionPolicy).toBe('Retain');
    expect(table!.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at_epoch', Enabled: true },
    });
  });

  it('has gsi1 and gsi2 on their own string keys, projecting ALL', () => {
    eio.templates.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
      ),
      GlobalSecondaryIndexes: ['gsi1', 'gsi2'].map((g) => ({
        IndexName: g,
        KeySchema: [
          { AttributeName: `${g}pk`, KeyType: 'HASH' },
          { AttributeName: `${g}sk`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('outputs the table name', () => {
    eio.templates.stateful.hasOutput('TableName', { Value: { Ref: eio.logicalId(eio.stateful.table) } });
  });
});

describe('EioStatefulStack queues', () => {
  it('gives every pool a queue with the spec visibility timeout and a DLQ with its maxReceiveCount', () => {
    const queues = resourcesOf(eio.templates.stateful, 'AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2 * Object.keys(TEST_CATALOG.workerPools).length);
    for (const [pool, spec] of Object.entries(TEST_CATALOG.workerPools)) {
      const { queue, dlq } = eio.stateful.queues[pool]!;
      const q = queues[eio.logicalId(queue)]!.Properties;
      const d = queues[eio.logicalId(dlq)]!.Properties;
      expect(q.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(q.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [eio.logicalId(dlq), 'Arn'] },
        maxReceiveCount: spec.maxReceiveCount,
      });
      expect(d.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
  });

  it('encrypts every queue (SSE) and denies non-TLS access to each', () => {
    const queues = resourcesOf(eio.templates.stateful, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOf(eio.templates.stateful, 'AWS::SQS::QueuePolicy'));
    for (const id of Object.keys(queues)) {
      expect(queues[id]!.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]));
      expect(policy?.Properties.PolicyDocument).toMatchObject({
        Statement: [{ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      });
    }
  });
});

describe('EioStatefulStack backups', () => {
  it('backs the table up daily with AWS Backup, kept 35 days in a retained vault, beside point-in-time recovery', () => {
    const t = eio.templates.stateful;
    const plan = Object.values(resourcesOf(t, 'AWS::Backup::BackupPlan'))[0]!.Properties as {
      BackupPlan: { BackupPlanRule: { ScheduleExpression: string; Lifecycle: { DeleteAfterDays: number } }[] };
    };
    expect(plan.BackupPlan.BackupPlanRule).toEqual([
      expect.objectContaining({ ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
    ]);
    const selection = Object.values(resourcesOf(t, 'AWS::Backup::BackupSelection'))[0]!.Properties;
    expect(JSON.stringify(selection)).toContain(eio.logicalId(eio.stateful.table));
    expect(Object.values(resourcesOf(t, 'AWS::Backup::BackupVault'))[0]!.DeletionPolicy).toBe('Retain');
    t.hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });
});
