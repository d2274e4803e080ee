import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './table-definition';

/**
 * Creates the single table if it is missing and waits until it and its GSIs are ACTIVE. Used by the
 * local stack and the contract tests; in AWS the CDK stateful stack owns the table.
 *
 * Harmless when the table exists with the expected layout; refuses (with the difference named) a table
 * of the same name laid out differently, e.g. a `.eio/` data dir left by an older build, instead of
 * failing later on the first query against a missing index.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const definition = tableDefinition(tableName);
  const existing = await describe(client, tableName);
  if (existing) {
    assertSameLayout(existing, tableName);
  } else {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (err) {
      // Another process created it between our describe and create: that's the state we wanted.
      if (!(err instanceof Error && err.name === 'ResourceInUseException')) throw err;
    }
  }
  await waitUntilActive(client, tableName, timeoutMs);
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table;
  } catch (err) {
    if (err instanceof Error && err.name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Local engines turn ACTIVE within milliseconds; start polling fast, back off towards 1 s for real AWS.
  for (let delay = 25; ; delay = Math.min(delay * 2, 1_000)) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() + delay > deadline) {
      throw new Error(`Table ${tableName} not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus ?? 'missing'})`);
    }
    await sleep(delay);
  }
}

function assertSameLayout(table: TableDescription, tableName: string): void {
  const expected = tableDefinition(tableName);
  const problems: string[] = [];
  if (schemaOf(table.KeySchema) !== schemaOf(expected.KeySchema)) {
    problems.push(`key is ${schemaOf(table.KeySchema)}, expected ${schemaOf(expected.KeySchema)}`);
  }
  for (const index of expected.GlobalSecondaryIndexes ?? []) {
    const actual = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.IndexName);
    if (!actual) problems.push(`index ${index.IndexName} is missing`);
    else if (schemaOf(actual.KeySchema) !== schemaOf(index.KeySchema)) {
      problems.push(`index ${index.IndexName} is ${schemaOf(actual.KeySchema)}, expected ${schemaOf(index.KeySchema)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Table ${tableName} exists with a different layout: ${problems.join('; ')}`);
  }
}

function schemaOf(schema: KeySchemaElement[] | undefined): string {
  return (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
}
