import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type AddOptions,
  ConditionFailedError,
  InvalidCursorError,
  type Item,
  type Key,
  type Page,
  type QueryInput,
  type Store,
  type WriteCondition,
} from '../../ports/store';
import { compareUtf8, decodeCursor, encodeCursor } from './cursor';
import { INDEX_KEYS, keyAttributes, TABLE_KEY } from './table-definition';

const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/** Fixed key read by ping(); no record is ever stored under it. */
const PING_KEY: Key = { pk: '_eio', sk: 'ping' };

/** BatchWriteItem takes at most 25 puts or deletes per request. */
const BATCH_SIZE = 25;
/** BatchGetItem takes at most 100 keys per request. */
const GET_BATCH_SIZE = 100;
/** Batches in flight at once in putMany, deleteMany and getMany. */
const BATCH_CONCURRENCY = 4;
/** Requests per batch (the first and its retries of unprocessed items or keys) before the call gives up. */
const BATCH_ATTEMPTS = 8;
const BATCH_BACKOFF_MS = 10;

type ConditionParams = {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
};

/**
 * Store on one DynamoDB table (single-table design, see table-definition.ts). The same class serves AWS
 * and the local engines; only the client's endpoint differs.
 */
export class DynamoDbStore implements Store {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(key: Key): Promise<Item | undefined> {
    const out = await this.client.send(
      // Strongly consistent: callers read a version right before a conditional write, and the runbook's
      // "create, then get" must see the record it just made.
      new GetItemCommand({ TableName: this.tableName, Key: marshallKey(key), ConsistentRead: true }),
    );
    return out.Item ? (unmarshall(out.Item) as Item) : undefined;
  }

  async put(item: Item, condition?: WriteCondition): Promise<void> {
    assertValidKeys(item);
    const command = new PutItemCommand({
      TableName: this.tableName,
      Item: marshall(item, MARSHALL_OPTIONS),
      ...conditionParams(condition),
    });
    await conditionally(item, () => this.client.send(command));
  }

  async putMany(items: Item[]): Promise<void> {
    // Validate and marshal everything first: a bad item fails the call before anything is written.
    // Deduplicated over the whole call (DynamoDB refuses two puts of one key in a batch, and concurrent
    // batches would race): the last item for a key wins, as with sequential puts.
    const byKey = new Map<string, WriteRequest>();
    for (const item of items) {
      assertValidKeys(item);
      const id = keyId(item);
      byKey.delete(id);
      byKey.set(id, { PutRequest: { Item: marshall(item, MARSHALL_OPTIONS) } });
    }
    await this.writeMany('putMany', [...byKey.values()]);
  }

  async deleteMany(keys: Key[]): Promise<void> {
    const byKey = new Map<string, WriteRequest>();
    for (const key of keys) byKey.set(keyId(key), { DeleteRequest: { Key: marshallKey(key) } });
    await this.writeMany('deleteMany', [...byKey.values()]);
  }

  async getMany(keys: Key[]): Promise<Item[]> {
    const unique = new Map<string, Record<string, AttributeValue>>();
    for (const key of keys) unique.set(keyId(key), marshallKey(key));
    const found: Item[] = [];
    const outcome = await inBatches([...unique.values()], GET_BATCH_SIZE, async (batch) => {
      for (const raw of await this.readBatch(batch)) found.push(unmarshall(raw) as Item);
    });
    if (outcome.failed) throw outcome.error;
    return found;
  }

  /** BatchWriteItem requests, 25 a batch, a few batches in flight; fails naming how many were left unwritten. */
  private async writeMany(operation: string, requests: WriteRequest[]): Promise<void> {
    let unwritten = 0;
    const outcome = await inBatches(requests, BATCH_SIZE, (batch) =>
      this.writeBatch(batch).catch((err: unknown) => {
        unwritten += err instanceof UnwrittenError ? err.count : batch.length;
        throw err;
      }),
    );
    if (!outcome.failed) return;
    const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    throw new Error(`Store ${operation} left ${unwritten + outcome.notStarted} of ${requests.length} items unwritten: ${reason}`, {
      cause: outcome.error,
    });
  }

  /** One BatchWriteItem, retrying what DynamoDB leaves unprocessed (throttling) with jittered backoff. */
  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = out.UnprocessedItems?.[this.tableName] ?? [];
      if (pending.length === 0) return;
      if (attempt + 1 >= BATCH_ATTEMPTS) throw new UnwrittenError(pending.length);
      await backoff(attempt);
    }
  }

  /** One BatchGetItem, asking again for the keys DynamoDB leaves unprocessed. */
  private async readBatch(keys: Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let pending = keys;
    for (let attempt = 0; ; attempt++) {
      const out = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[this.tableName] ?? []));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length === 0) return items;
      if (attempt + 1 >= BATCH_ATTEMPTS) throw new Error(`Store getMany: ${pending.length} keys unread after ${BATCH_ATTEMPTS} attempts`);
      await backoff(attempt);
    }
  }

  async delete(key: Key, condition?: WriteCondition): Promise<void> {
    const command = new DeleteItemCommand({
      TableName: this.tableName,
      Key: marshallKey(key),
      ...conditionParams(condition),
    });
    await conditionally(key, () => this.client.send(command));
  }

  async query(input: QueryInput): Promise<Page<Item>> {
    assertValidQuery(input);
    const startKey = input.cursor === undefined ? undefined : decodeCursor(input.cursor, input);
    const condition = keyCondition(input);
    const projected = projection(input.attributes);
    const command = new QueryCommand({
      TableName: this.tableName,
      IndexName: input.index,
      ...condition,
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, ...projected.names },
      ProjectionExpression: projected.ProjectionExpression,
      Limit: input.limit,
      ScanIndexForward: !input.descending,
      ExclusiveStartKey: startKey && marshall(startKey),
      // Lists right after a create should show it; GSIs are eventually consistent and refuse the flag.
      ConsistentRead: input.index ? undefined : true,
    });
    const out = await this.client.send(command).catch((err: unknown) => {
      // Backstop: decodeCursor already refuses what DynamoDB would; a client's token must never become a 500.
      const badStartKey = isError(err, 'ValidationException') && /starting key/i.test(err.message);
      throw startKey && badStartKey ? new InvalidCursorError() : err;
    });
    return {
      items: (out.Items ?? []).map((raw) => unmarshall(raw) as Item),
      // DynamoDB may stop short of `limit` (1 MB page) or return a key after an exactly full last page;
      // either way the caller just follows the cursor.
      cursor: out.LastEvaluatedKey ? encodeCursor(unmarshall(out.LastEvaluatedKey)) : undefined,
    };
  }

  async add(key: Key, deltas: Record<string, number>, { once, set = {} }: AddOptions = {}): Promise<Record<string, number> | undefined> {
    const counters = Object.entries({ ...deltas, version: (deltas.version ?? 0) + 1 });
    const names: Record<string, string> = { '#pk': TABLE_KEY.partitionKey };
    const values: Record<string, AttributeValue> = {};
    const adds = counters.map(([name, delta], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = { N: String(delta) };
      return `#c${i} :c${i}`;
    });
    const sets = Object.entries(set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = marshall({ v: value }).v!;
      return `#s${i} = :s${i}`;
    });
    let condition = 'attribute_exists(#pk)';
    if (once) {
      names['#once'] = once.set;
      values[':token'] = { S: once.token };
      values[':tokens'] = { SS: [once.token] };
      adds.push('#once :tokens');
      condition += ' AND NOT contains(#once, :token)';
    }
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshallKey(key),
          UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const after = unmarshall(out.Attributes ?? {});
      return Object.fromEntries(counters.map(([name]) => [name, Number(after[name])]));
    } catch (err) {
      if (!isError(err, 'ConditionalCheckFailedException')) throw err;
      // Either the record is missing (an error) or the token was already counted (a no-op).
      if (once && (await this.get(key))) return undefined;
      throw new ConditionFailedError(pickKey(key));
    }
  }

  /**
   * GetItem of a fixed, never-written key rather than DescribeTable: it takes the same data-plane path
   * and IAM permission as real traffic (so its latency is what the health threshold is about), costs half
   * a read unit, and still fails if the table is missing. DescribeTable is a control-plane call.
   */
  async ping(): Promise<void> {
    await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshallKey(PING_KEY),
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey },
      }),
    );
  }
}

/** Items of one batch still unprocessed after the last retry. */
class UnwrittenError extends Error {
  constructor(readonly count: number) {
    super(`${count} items unprocessed after ${BATCH_ATTEMPTS} attempts`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Jittered exponential backoff before asking again for what a batch left unprocessed. */
function backoff(attempt: number): Promise<void> {
  const ms = BATCH_BACKOFF_MS * 2 ** attempt;
  return sleep(ms / 2 + (Math.random() * ms) / 2);
}

const keyId = (key: Key) => JSON.stringify([key.pk, key.sk]);

/**
 * Runs `run` over `items` in batches of `size`, BATCH_CONCURRENCY at once. After a failure no new batch
 * starts and those in flight finish; the outcome tells the first error and how many items never started.
 */
async function inBatches<T>(
  items: T[],
  size: number,
  run: (batch: T[]) => Promise<void>,
): Promise<{ failed: false } | { failed: true; error: unknown; notStarted: number }> {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < batches.length) {
      const batch = batches[next++]!;
      await run(batch).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batches.length) }, worker));
  if (!failure) return { failed: false };
  return { failed: true, error: failure.error, notStarted: batches.slice(next).reduce((n, b) => n + b.length, 0) };
}

async function conditionally(key: Key, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isError(err, 'ConditionalCheckFailedException')) throw new ConditionFailedError(pickKey(key));
    throw err;
  }
}

/** `#pk = :pk`, plus begins_with or BETWEEN on the sort key, on the table's or the index's attributes. */
function keyCondition(
  input: QueryInput,
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const keys = keyAttributes(input.index);
  const names: Record<string, string> = { '#pk': keys.partitionKey };
  const values: Record<string, AttributeValue> = { ':pk': { S: input.pk } };
  let expression = '#pk = :pk';
  // An empty prefix means "all": DynamoDB refuses begins_with(sk, '') (dynalite accepts it).
  if (input.skPrefix) {
    names['#sk'] = keys.sortKey;
    values[':prefix'] = { S: input.skPrefix };
    expression += ' AND begins_with(#sk, :prefix)';
  } else if (input.skBetween) {
    names['#sk'] = keys.sortKey;
    values[':from'] = { S: input.skBetween[0] };
    values[':to'] = { S: input.skBetween[1] };
    expression += ' AND #sk BETWEEN :from AND :to';
  }
  return { KeyConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** The table's keys and the named attributes, as a ProjectionExpression and the names it uses. */
function projection(attributes: string[] | undefined): { ProjectionExpression?: string; names: Record<string, string> } {
  if (!attributes) return { names: {} };
  const wanted = [...new Set([TABLE_KEY.partitionKey, TABLE_KEY.sortKey, ...attributes])];
  return {
    ProjectionExpression: wanted.map((_, i) => `#p${i}`).join(', '),
    names: Object.fromEntries(wanted.map((a, i) => [`#p${i}`, a])),
  };
}

function conditionParams(condition?: WriteCondition): ConditionParams {
  switch (condition?.kind) {
    case undefined:
      return {};
    case 'absent':
      return { ConditionExpression: 'attribute_not_exists(pk)' };
    case 'present':
      return { ConditionExpression: 'attribute_exists(pk)' };
    case 'version':
      return {
        ConditionExpression: '#version = :v',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':v': { N: String(condition.version) } },
      };
  }
}

function pickKey(key: Key): Key {
  return { pk: key.pk, sk: key.sk };
}

/** Only the key attributes: callers may pass a whole record as its key. */
function marshallKey(key: Key): Record<string, AttributeValue> {
  return { [TABLE_KEY.partitionKey]: { S: key.pk }, [TABLE_KEY.sortKey]: { S: key.sk } };
}

function isError(err: unknown, name: string): err is Error {
  return err instanceof Error && err.name === name;
}

const INDEX_KEY_NAMES = Object.values(INDEX_KEYS).flatMap((k) => [k.partitionKey, k.sortKey]);

/**
 * Key attributes must be non-empty strings. DynamoDB refuses an empty index key, but dynalite stores it
 * silently; checking here makes every engine answer the same.
 */
function assertValidKeys(item: Item): void {
  for (const name of [TABLE_KEY.partitionKey, TABLE_KEY.sortKey, ...INDEX_KEY_NAMES]) {
    const value = item[name];
    // A missing index key only keeps the item out of that index (sparse GSI).
    if (value === undefined && INDEX_KEY_NAMES.includes(name)) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`Store item key attribute ${name} must be a non-empty string`);
    }
  }
}

/** Mistakes DynamoDB would reject with a ValidationException, rejected the same way by every Store. */
function assertValidQuery(input: QueryInput): void {
  if (!Number.isInteger(input.limit) || input.limit < 1) {
    throw new RangeError(`Store query limit must be a positive integer, got ${input.limit}`);
  }
  if (input.skPrefix && input.skBetween) {
    throw new RangeError('Store query takes skPrefix or skBetween, not both');
  }
  if (input.skBetween && compareUtf8(input.skBetween[0], input.skBetween[1]) > 0) {
    throw new RangeError('Store query skBetween must be [low, high]');
  }
}
