/**
 * What each kind of function may do, in one place. Rules (narrow later, per function, if a review asks):
 * - every function reads and writes the table; only workers and steps may Scan (no Scan on a request path);
 * - api and worker functions send to every pool queue and read queue/DLQ attributes (health);
 * - functions in the VPC read service-identity secrets; the service-identities API also manages them (and puts
 *   them on the rotation schedule); the rotation functions stage and promote pending versions;
 * - `invoked` functions (Secrets Manager's rotation, the record migration) reach the table and nothing else;
 * - api and worker functions start/stop/describe executions and answer task tokens, on EIO's state machines
 *   only; api functions also check state machines are ACTIVE (health) and drain pools (event-source mappings);
 * - the system API lists the table's backups and point-in-time recovery window.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { EioFunction } from './eio-function';
import { acknowledge } from './nag';
import type { PoolQueues } from './stateful-stack';

/** Name prefix of the service-identity secrets in Secrets Manager. */
export const SECRETS_PREFIX = 'eio/service-identities/';

/** Functions that report the table's recovery points (GET /api/v1/system/backups). */
export const BACKUP_READERS: ReadonlySet<string> = new Set(['api-system']);

/** Functions that create, rotate and delete service-identity credentials (everyone else only reads them). */
export const SECRET_MANAGERS: ReadonlySet<string> = new Set(['api-service-identities']);
/** Functions that stage and promote a rotation's pending version (AWSPENDING → AWSCURRENT), as a rotation function does. */
export const SECRET_ROTATORS: ReadonlySet<string> = new Set(['worker-credential-rotation', 'secret-rotation']);

export type GrantTargets = {
  table: dynamodb.ITable;
  indexNames: readonly string[];
  queues: Readonly<Record<string, PoolQueues>>;
  /** Names of EIO's state machines (`eio-<workflow>`). */
  stateMachineNames: readonly string[];
  eventSourceMappingArns: readonly string[];
};

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const SECRET_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
// UpdateSecretVersionStage: moving AWSCURRENT to a rotation's pending version, or taking AWSPENDING off it.
const SECRET_ROTATE = [...SECRET_READ, 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
// RestoreSecret: re-creating an identity whose secret is pending deletion restores it (secrets adapter); deleting
// one drops its pending version first (UpdateSecretVersionStage). RotateSecret: a new iDRAC identity's secret is
// put on the rotation schedule.
const SECRET_MANAGE = [
  ...SECRET_ROTATE,
  'secretsmanager:CreateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
  'secretsmanager:RotateSecret',
];

export function grantForKind(f: EioFunction, t: GrantTargets): void {
  const stack = Stack.of(f);
  const add = (actions: string[], resources: string[]) => {
    if (resources.length > 0) f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  };
  const { kind, vpc } = f.spec;

  // Index ARNs by name rather than `index/*`: the table has exactly the GSIs the Store adapter uses.
  const tableResources = [t.table.tableArn, ...t.indexNames.map((i) => `${t.table.tableArn}/index/${i}`)];
  add([...TABLE_READ, ...TABLE_WRITE, ...(kind === 'api' ? [] : ['dynamodb:Scan'])], tableResources);
  if (BACKUP_READERS.has(f.name)) {
    add(['dynamodb:DescribeContinuousBackups'], [t.table.tableArn]);
    // ListBackups has no resource-level permission: it lists, never reads or restores, a backup.
    add(['dynamodb:ListBackups'], ['*']);
  }

  if (kind === 'api' || kind === 'worker') {
    const pools = Object.values(t.queues);
    add(
      ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      pools.map((p) => p.queue.queueArn),
    );
    add(
      ['sqs:GetQueueAttributes'],
      pools.map((p) => p.dlq.queueArn),
    );
  }

  if (vpc || SECRET_MANAGERS.has(f.name)) {
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${SECRETS_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    add(SECRET_MANAGERS.has(f.name) ? SECRET_MANAGE : SECRET_ROTATORS.has(f.name) ? SECRET_ROTATE : SECRET_READ, [secrets]);
    acknowledge(
      f.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRETS_PREFIX}*]`,
      'Service-identity credentials are stored one secret per identity (eio/service-identities/<si-id>), created at runtime, ' +
        'so their names are unknown at deploy time; the wildcard is confined to that EIO prefix.',
    );
  }

  const machines = t.stateMachineNames.map((name) =>
    stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
  const executions = t.stateMachineNames.map((name) =>
    stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
  if (kind === 'api' || kind === 'worker') {
    // Both drive jobs: the API submits, cancels, resumes and approves; workers dispatch, cancel under the kill
    // switch and expire approvals. DescribeStateMachine: the health endpoint reports whether each is ACTIVE.
    add(
      [
        'states:StartExecution',
        'states:ListExecutions',
        'states:DescribeStateMachine',
        'states:SendTaskSuccess',
        'states:SendTaskFailure',
        'states:SendTaskHeartbeat',
      ],
      machines,
    );
    add(['states:StopExecution', 'states:DescribeExecution', 'states:GetExecutionHistory'], executions);
  }
  if (kind === 'api') add(['lambda:UpdateEventSourceMapping', 'lambda:GetEventSourceMapping'], [...t.eventSourceMappingArns]);
  if (kind === 'api' || kind === 'worker') {
    for (const name of t.stateMachineNames) {
      acknowledge(
        f.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
        `Each EIO job's execution of ${name} is named after its job id at runtime, so its ARN is only known as ${name}:*; ` +
          'the wildcard stays within that one state machine.',
      );
    }
  }
}
