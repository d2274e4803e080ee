import { ensureTable } from '../../shared/adapters/store/create-table';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { DynamoDbStore } from '../../shared/adapters/store/dynamodb-store';
import { startDynamoDbLocal } from '../support/dynamodb-local';
import { storeContract } from './store.contract';

// Amazon's own engine: anything dynalite lets through that DynamoDB would refuse fails here.
storeContract('DynamoDbStore on Amazon DynamoDB Local', async () => {
  const engine = await startDynamoDbLocal();
  const client = createDynamoClient({ endpoint: engine.endpoint, region: 'us-east-1' });
  await ensureTable(client, 'eio-contract');
  return {
    store: new DynamoDbStore(client, 'eio-contract'),
    cleanup: async () => {
      client.destroy();
      await engine.stop();
    },
  };
});
