import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from '../../infra/local/embedded-dynamodb';
import { ensureTable } from '../../shared/adapters/store/create-table';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { DynamoDbStore } from '../../shared/adapters/store/dynamodb-store';
import { dynaliteStore, type StoreUnderTest } from '../support/stores';
import { waitFor } from '../support/wait';
import { storeContract } from './store.contract';

const region = 'us-east-1';
const table = 'eio-contract';

storeContract('DynamoDbStore on embedded dynalite', () => dynaliteStore(table));

describe('embedded dynalite on disk', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'eio-dynalite-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function open(dataDir: string) {
    const engine = await startEmbeddedDynamo({ dataDir });
    const client = createDynamoClient({ endpoint: engine.endpoint, region });
    const close = async () => {
      client.destroy();
      await engine.close();
    };
    return { engine, client, store: new DynamoDbStore(client, table), close };
  }

  it('keeps every record and index entry across close and restart on the same dir', async () => {
    const dataDir = await tempDir();
    const first = await open(dataDir);
    await ensureTable(first.client, table);
    for (let i = 0; i < 5; i++) {
      await first.store.put({ pk: 'site#1', sk: `host#${i}`, version: 1, gsi1pk: 'hosts', gsi1sk: `h${i}` });
    }
    await first.close();

    const second = await open(dataDir);
    cleanups.push(second.close);
    await ensureTable(second.client, table); // finds the table: harmless
    expect(await second.store.get({ pk: 'site#1', sk: 'host#3' })).toMatchObject({ version: 1, gsi1sk: 'h3' });
    expect((await second.store.query({ pk: 'site#1', limit: 10 })).items).toHaveLength(5);
    expect((await second.store.query({ index: 'gsi1', pk: 'hosts', limit: 10 })).items).toHaveLength(5);
  });

  it('closes the LevelDB iterator of every query once it is read, so none keeps its snapshot pinned', async () => {
    const engine = await open(await tempDir());
    cleanups.push(engine.close);
    await ensureTable(engine.client, table);
    for (let i = 0; i < 5; i++) {
      await engine.store.put({ pk: 'site#1', sk: `host#${i}`, version: 1, gsi1pk: 'hosts', gsi1sk: `h${i}` });
    }
    for (let i = 0; i < 20; i++) {
      // Read to the end, cut short by the limit, and on an index.
      expect((await engine.store.query({ pk: 'site#1', limit: 10 })).items).toHaveLength(5);
      expect((await engine.store.query({ pk: 'site#1', limit: 2 })).items).toHaveLength(2);
      expect((await engine.store.query({ index: 'gsi1', pk: 'hosts', limit: 3 })).items).toHaveLength(3);
    }
    await expect.poll(() => engine.engine.openIterators()).toBe(0);
  });

  it('refuses a second engine on a data dir that is in use, and frees it on close', async () => {
    const dataDir = await tempDir();
    const first = await open(dataDir);
    await expect(startEmbeddedDynamo({ dataDir })).rejects.toThrow(/in use/);
    await first.close();
    const again = await open(dataDir);
    cleanups.push(again.close);
    await ensureTable(again.client, table);
    await expect(again.store.ping()).resolves.toBeUndefined();
  });

  it('refuses the second of two engines started at once on one data dir; the first serves', async () => {
    const dataDir = await tempDir();
    const both = await Promise.allSettled([startEmbeddedDynamo({ dataDir }), startEmbeddedDynamo({ dataDir })]);
    const started = both.flatMap((b) => (b.status === 'fulfilled' ? [b.value] : []));
    for (const engine of started) cleanups.push(engine.close);
    expect(started).toHaveLength(1);
    expect(both.find((b) => b.status === 'rejected')).toMatchObject({
      reason: { message: expect.stringMatching(/in use|could not open/) },
    });
    const client = createDynamoClient({ endpoint: started[0]!.endpoint, region });
    cleanups.push(async () => client.destroy());
    await ensureTable(client, table);
    await expect(new DynamoDbStore(client, table).ping()).resolves.toBeUndefined();
  });

  it('serves on loopback at the port asked for', async () => {
    const dataDir = await tempDir();
    const first = await open(dataDir);
    const port = Number(new URL(first.engine.endpoint).port);
    await first.close();
    const second = await startEmbeddedDynamo({ dataDir, port });
    cleanups.push(second.close);
    const url = new URL(second.endpoint);
    expect({ host: url.hostname, port: Number(url.port) }).toEqual({ host: '127.0.0.1', port });
  });

  it('answers only requests signed with the access key of this start: no other local process may use it', async () => {
    const dataDir = await tempDir();
    const engine = await open(dataDir);
    cleanups.push(engine.close);
    await ensureTable(engine.client, table);
    const url = new URL(engine.engine.endpoint);
    expect(url.username).toMatch(/^[0-9a-f]{32}$/);
    // The same engine without the key (what any other process on the machine could try), and with another one.
    const bare = `http://127.0.0.1:${url.port}`;
    for (const endpoint of [bare, `http://${'0'.repeat(32)}@127.0.0.1:${url.port}`]) {
      const stranger = createDynamoClient({ endpoint, region });
      cleanups.push(async () => stranger.destroy());
      await expect(new DynamoDbStore(stranger, table).get({ pk: 'SWITCH#kill-switch', sk: 'SWITCH' })).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    }
    const unsigned = await fetch(bare, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).not.toContain('TableNames');
    await expect(engine.store.ping()).resolves.toBeUndefined();
  });

  it('item requests see the table as it is now: one deleted and created again with an index writes to that index', async () => {
    const dataDir = await tempDir();
    const engine = await open(dataDir);
    cleanups.push(engine.close);
    const { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
    const status = () =>
      engine.client.send(new DescribeTableCommand({ TableName: 'remade' })).then(
        (t) => t.Table?.TableStatus,
        () => 'GONE',
      );
    const base = {
      TableName: 'remade',
      BillingMode: 'PAY_PER_REQUEST' as const,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' as const },
        { AttributeName: 'sk', KeyType: 'RANGE' as const },
      ],
    };
    const keys = [
      { AttributeName: 'pk', AttributeType: 'S' as const },
      { AttributeName: 'sk', AttributeType: 'S' as const },
    ];
    await engine.client.send(new CreateTableCommand({ ...base, AttributeDefinitions: keys }));
    await waitFor('the table to be active', async () => ((await status()) === 'ACTIVE' ? true : undefined), 10_000);
    const store = new DynamoDbStore(engine.client, 'remade');
    await store.putMany([{ pk: 'a', sk: '1', gsi1pk: 'g', gsi1sk: '1' }]); // the table without an index, as item requests last saw it
    await engine.client.send(new DeleteTableCommand({ TableName: 'remade' }));
    await waitFor('the table to be gone', async () => ((await status()) === 'GONE' ? true : undefined), 10_000);
    await ensureTable(engine.client, 'remade'); // now with gsi1 and gsi2
    await store.putMany([{ pk: 'a', sk: '2', gsi1pk: 'g', gsi1sk: '2' }]);
    expect((await store.query({ index: 'gsi1', pk: 'g', limit: 10 })).items.map((i) => i.sk)).toEqual(['2']);
  });

  it('ensureTable refuses a table of the same name with another layout', async () => {
    const dataDir = await tempDir();
    const engine = await open(dataDir);
    cleanups.push(engine.close);
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    await engine.client.send(
      new CreateTableCommand({
        TableName: 'old-layout',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureTable(engine.client, 'old-layout')).rejects.toThrow(/different layout.*gsi1 is missing/);
  });
});

/**
 * The engine as a throttled DynamoDB answers: each batch request processes only its first `takes` items
 * (or keys) and hands the rest back as unprocessed, for the next `times` requests.
 */
function throttled(client: DynamoDBClient, budget: { times: number; takes: number }): DynamoDBClient {
  const send = async (command: unknown): Promise<unknown> => {
    if (budget.times > 0 && command instanceof BatchWriteItemCommand) {
      budget.times--;
      const [name, requests] = Object.entries(command.input.RequestItems!)[0]!;
      const taken = requests.slice(0, budget.takes);
      if (taken.length) await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: taken } }));
      return { UnprocessedItems: { [name]: requests.slice(budget.takes) } } as Partial<BatchWriteItemCommandOutput>;
    }
    if (budget.times > 0 && command instanceof BatchGetItemCommand) {
      budget.times--;
      const [name, request] = Object.entries(command.input.RequestItems!)[0]!;
      const taken = request.Keys!.slice(0, budget.takes);
      const out = taken.length
        ? await client.send(new BatchGetItemCommand({ RequestItems: { [name]: { ...request, Keys: taken } } }))
        : { Responses: { [name]: [] } };
      const rest = { ...request, Keys: request.Keys!.slice(budget.takes) };
      return { Responses: out.Responses, UnprocessedKeys: { [name]: rest } } as Partial<BatchGetItemCommandOutput>;
    }
    return client.send(command as never);
  };
  return new Proxy(client, { get: (target, prop) => (prop === 'send' ? send : Reflect.get(target, prop)) });
}

describe('DynamoDbStore when the engine leaves part of a batch unprocessed', () => {
  let engine: StoreUnderTest;
  let client: DynamoDBClient;
  beforeAll(async () => {
    engine = await dynaliteStore(table);
    client = (engine.store as unknown as { client: DynamoDBClient }).client;
  });
  afterAll(async () => engine?.cleanup());

  it('putMany, getMany and deleteMany ask again for what was left until every item is done', async () => {
    const budget = { times: 6, takes: 7 };
    const store = new DynamoDbStore(throttled(client, budget), table);
    const pk = 'throttled#1';
    const items = Array.from({ length: 60 }, (_, i) => ({ pk, sk: `k#${String(i).padStart(2, '0')}`, n: i }));
    await store.putMany(items);
    expect(budget.times).toBe(0);
    expect((await engine.store.query({ pk, limit: 100 })).items).toEqual(items);

    budget.times = 3;
    const read = await store.getMany(items.map(({ pk: p, sk }) => ({ pk: p, sk })));
    expect(budget.times).toBe(0);
    expect(read.sort((a, b) => a.sk.localeCompare(b.sk))).toEqual(items);

    budget.times = 6;
    await store.deleteMany(items.map(({ pk: p, sk }) => ({ pk: p, sk })));
    expect(budget.times).toBe(0);
    expect((await engine.store.query({ pk, limit: 100 })).items).toEqual([]);
  });

  it('gives up after its attempts, saying how many items were left unwritten', async () => {
    const store = new DynamoDbStore(throttled(client, { times: 1000, takes: 0 }), table);
    const items = Array.from({ length: 30 }, (_, i) => ({ pk: 'throttled#2', sk: `k#${i}` }));
    await expect(store.putMany(items)).rejects.toThrow(/^Store putMany left 30 of 30 items unwritten: /);
  });
});
