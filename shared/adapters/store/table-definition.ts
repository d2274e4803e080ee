/**
 * The single-table layout, described once. The local stack creates the table from `tableDefinition`;
 * the CDK stateful stack mirrors these names (`pk`/`sk`, `gsi1`, `gsi2`), and the adapter reads its key
 * attribute names from here so the three cannot drift apart.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { IndexName } from '../../ports/store';

export type KeyAttributes = { partitionKey: string; sortKey: string };

export const TABLE_KEY: KeyAttributes = { partitionKey: 'pk', sortKey: 'sk' };

export const INDEX_KEYS: Record<IndexName, KeyAttributes> = {
  gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
};

/** Key attributes of the table or of one of its GSIs. */
export function keyAttributes(index?: IndexName): KeyAttributes {
  return index ? INDEX_KEYS[index] : TABLE_KEY;
}

/**
 * Attributes that make up a query's LastEvaluatedKey: the table key, plus the index key for a GSI query
 * (DynamoDB needs both to resume inside an index, where several items may share an index key).
 */
export function pageKeyAttributes(index?: IndexName): string[] {
  const table = [TABLE_KEY.partitionKey, TABLE_KEY.sortKey];
  if (!index) return table;
  const { partitionKey, sortKey } = INDEX_KEYS[index];
  return [...table, partitionKey, sortKey];
}

export function tableDefinition(tableName: string): CreateTableCommandInput {
  const indexNames = Object.keys(INDEX_KEYS) as IndexName[];
  const allKeys = [TABLE_KEY, ...indexNames.map((name) => INDEX_KEYS[name])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: allKeys.flatMap((k) => [
      { AttributeName: k.partitionKey, AttributeType: 'S' },
      { AttributeName: k.sortKey, AttributeType: 'S' },
    ]),
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexNames.map((name) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: INDEX_KEYS[name].partitionKey, KeyType: 'HASH' },
        { AttributeName: INDEX_KEYS[name].sortKey, KeyType: 'RANGE' },
      ],
      // ALL: list endpoints read whole records from an index without a second GetItem per row.
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
