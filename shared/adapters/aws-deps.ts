import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config';
import { systemClock } from '../ports/clock';
import type { ComponentHealth } from '../domain/health';
import { idracCredentialVerifier } from '../usecases/dell-endpoints';
import { vcenterCredentialVerifier } from '../usecases/vcenter-health';
import type { Deps } from '../usecases/deps';
import { SqsQueue } from './queue/sqs-queue';
import { SecretsManagerSecrets } from './secrets/secrets-manager-secrets';
import { createDynamoClient } from './store/dynamodb-client';
import { DynamoDbStore } from './store/dynamodb-store';
import { LambdaWorkerPools } from './worker-pools/lambda-worker-pools';
import { SfnWorkflows } from './workflows/sfn-workflows';

/** The adapters of a Lambda container in AWS, built once per container from config. */
export function awsDeps(): Deps {
  const c = config();
  const region = c.region;
  const queue = new SqsQueue(new SQSClient({ region }), { queueUrls: c.queueUrls });
  const sfn = new SFNClient({ region });
  const store = new DynamoDbStore(createDynamoClient({ endpoint: c.dynamodbEndpoint, region }), c.tableName);
  return {
    store,
    queue,
    workflows: new SfnWorkflows(sfn, { stateMachineArns: c.stateMachineArns }),
    secrets: new SecretsManagerSecrets(new SecretsManagerClient({ region }), { prefix: c.secretsPrefix }),
    workerPools: new LambdaWorkerPools(new LambdaClient({ region }), queue, c.eventSourceMappings),
    verifiers: { idrac: idracCredentialVerifier(store), vcenter: vcenterCredentialVerifier(store) },
    clock: systemClock,
    probes: { workflows: () => stateMachinesHealth(sfn, c.stateMachineArns) },
    startedAt: Date.now(),
  };
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
    message: inactive.length
      ? `state machine(s) not active: ${inactive.join(', ')}`
      : `${entries.length} state machine(s) active`,
    metrics: { state_machines: entries.length },
  };
}
