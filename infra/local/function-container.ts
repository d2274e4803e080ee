/**
 * Entry of a function container thread (see function-thread.ts): one function's handler with its own module
 * scope, as a Lambda container has. The store gets its own client (DynamoDB is a network service to every
 * container alike); the queue, secrets, workflows and worker pools stay single-owner in the main thread and
 * are reached through the port, so their local files keep one writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { DynamoDbStore } from '../../shared/adapters/store/dynamodb-store';
import type { FunctionName } from '../../shared/catalog/functions';
import { localDeps } from '../../shared/composition/local-deps';
import { config } from '../../shared/config';
import { provideDeps } from '../../shared/container';
import type { Queue } from '../../shared/ports/queue';
import type { Secrets } from '../../shared/ports/secrets';
import type { WorkerPools } from '../../shared/ports/worker-pools';
import type { Workflows } from '../../shared/ports/workflows';
import { FunctionInvoker } from './function-invoker';
import {
  type ContainerData,
  type FromContainer,
  type Pending,
  remoteError,
  type SharedPort,
  type ToContainer,
  wireError,
} from './function-protocol';

const port = parentPort!;
const { fn } = workerData as ContainerData;

const pending = new Map<number, Pending>();
let nextCall = 0;

/** An adapter of the main thread: each method call crosses the port and comes back as a promise. */
function remote<T extends object>(target: SharedPort): T {
  return new Proxy({} as T, {
    get: (_, method) =>
      typeof method !== 'string' || method === 'then'
        ? undefined
        : (...args: unknown[]) =>
            new Promise((resolve, reject) => {
              const id = nextCall++;
              pending.set(id, { resolve, reject });
              post({ type: 'call', id, target, method, args });
            }),
  });
}

const post = (m: FromContainer) => port.postMessage(m);

provideDeps(
  localDeps({
    store: new DynamoDbStore(createDynamoClient({ endpoint: config().dynamodbEndpoint, region: config().region }), config().tableName),
    queue: remote<Queue>('queue'),
    secrets: remote<Secrets>('secrets'),
    workflows: remote<Workflows>('workflows'),
    workerPools: remote<WorkerPools>('workerPools'),
    probes: {},
  }),
);

const invoker = new FunctionInvoker();
port.on('message', (m: ToContainer) => {
  if (m.type === 'reply') {
    const call = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) call?.resolve(m.value);
    else call?.reject(remoteError(m.error));
    return;
  }
  invoker.invoke(fn as FunctionName, m.event).then(
    (value) => post({ type: 'result', id: m.id, ok: true, value }),
    (error: unknown) => post({ type: 'result', id: m.id, ok: false, error: wireError(error) }),
  );
});
post({ type: 'ready' });
