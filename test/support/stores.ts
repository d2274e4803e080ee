/** The Store implementations contract tests run against, each started fresh with the table EIO creates. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDynamo } from '../../infra/local/embedded-dynamodb';
import { ensureTable } from '../../shared/adapters/store/create-table';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { DynamoDbStore } from '../../shared/adapters/store/dynamodb-store';
import type { Store } from '../../shared/ports/store';
import { startDynamoDbLocal } from './dynamodb-local';

export type StoreUnderTest = { store: Store; cleanup(): Promise<void> };

const region = 'us-east-1';

/** The DynamoDB adapter on an engine at `endpoint`, with the table created; cleanup stops the engine after the client. */
async function adapterOn(endpoint: string, table: string, stopEngine: () => Promise<void>): Promise<StoreUnderTest> {
  const client = createDynamoClient({ endpoint, region });
  await ensureTable(client, table);
  return {
    store: new DynamoDbStore(client, table),
    cleanup: async () => {
      client.destroy();
      await stopEngine();
    },
  };
}

/** The DynamoDB adapter on the local stack's embedded dynalite, in a temporary data directory. */
export async function dynaliteStore(table: string): Promise<StoreUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eio-dynalite-'));
  const engine = await startEmbeddedDynamo({ dataDir });
  return adapterOn(engine.endpoint, table, async () => {
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
}

/** The DynamoDB adapter on Amazon's DynamoDB Local: anything dynalite lets through that DynamoDB would refuse fails here. */
export async function dynamoDbLocalStore(table: string): Promise<StoreUnderTest> {
  const engine = await startDynamoDbLocal();
  return adapterOn(engine.endpoint, table, () => engine.stop());
}
