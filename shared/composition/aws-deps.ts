/**
 * The composition root of a Lambda container in AWS: its adapters, built once per container from config.
 * Its twin for the local stack is local-deps.ts; what both share (clock, device clients, verifiers) is in
 * common-deps.ts, so the two differ only in the AWS services they stand in for.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbBackups } from '../adapters/backups/dynamodb-backups';
import { TopicNotifier } from '../adapters/notifier/topic-notifier';
import { SqsQueue } from '../adapters/queue/sqs-queue';
import { SecretsManagerSecrets } from '../adapters/secrets/secrets-manager-secrets';
import { createDynamoClient } from '../adapters/store/dynamodb-client';
import { DynamoDbStore } from '../adapters/store/dynamodb-store';
import { LambdaWorkerPools } from '../adapters/worker-pools/lambda-worker-pools';
import { SfnWorkflows } from '../adapters/workflows/sfn-workflows';
import { config } from '../config';
import type { ComponentHealth } from '../domain/health';
import type { Deps } from '../usecases/deps';
import { withDeviceClients } from './common-deps';

export function awsDeps(): Deps {
  const c = config();
  const region = c.region;
  const sqs = new SQSClient({ region });
  const queue = new SqsQueue(sqs, { queueUrls: c.queueUrls });
  const sfn = new SFNClient({ region });
  const dynamo = createDynamoClient({ endpoint: c.dynamodbEndpoint, region });
  const store = new DynamoDbStore(dynamo, c.tableName);
  return withDeviceClients({
    store,
    queue,
    workflows: new SfnWorkflows(sfn, { stateMachineArns: c.stateMachineArns }),
    secrets: new SecretsManagerSecrets(new SecretsManagerClient({ region }), {
      prefix: c.secretsPrefix,
      ...(c.secretRotation ? { rotation: c.secretRotation } : {}),
    }),
    workerPools: new LambdaWorkerPools(new LambdaClient({ region }), queue, c.eventSourceMappings),
    probes: { workflows: () => stateMachinesHealth(sfn, c.stateMachineArns) },
    backups: new DynamoDbBackups(dynamo, c.tableName),
    ...(c.notifications.queueUrl ? { notifier: new TopicNotifier(sqs, c.notifications.queueUrl) } : {}),
  });
}

/** Every deployed state machine must exist and be ACTIVE for workflows to be healthy. */
async function stateMachinesHealth(sfn: SFNClient, arns: Record<string, string>): Promise<ComponentHealth> {
  const entries = Object.entries(arns);
  const states = await Promise.all(
    entries.map(async ([name, arn]) => {
      const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      return [name, d.status ?? 'UNKNOWN'] as const;
    }),
  );
  const inactive = states.filter(([, status]) => status !== 'ACTIVE').map(([name, status]) => `${name} (${status})`);
  return {
    status: inactive.length ? 'critical' : 'ok',
    message: inactive.length ? `state machine(s) not active: ${inactive.join(', ')}` : `${entries.length} state machine(s) active`,
    metrics: { state_machines: entries.length },
  };
}
