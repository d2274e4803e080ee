/**
 * Page cursors, the same for every Store (the DynamoDB adapter and the in-memory fake): a cursor is the page
 * key of the previous page's last item (DynamoDB's unmarshalled LastEvaluatedKey) as base64url JSON. Pure
 * functions of their arguments and of the table layout in table-definition.ts.
 */
import { type IndexName, InvalidCursorError, type QueryInput } from '../../ports/store';
import { keyAttributes, pageKeyAttributes } from './table-definition';

/** DynamoDB orders and compares string keys by their UTF-8 bytes, not by UTF-16 code units. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Whether a sort key value satisfies the query's skPrefix or skBetween (any value when it has neither). */
export function inSortRange(sortValue: string, input: QueryInput): boolean {
  if (input.skPrefix) return sortValue.startsWith(input.skPrefix);
  if (input.skBetween) {
    return compareUtf8(sortValue, input.skBetween[0]) >= 0 && compareUtf8(sortValue, input.skBetween[1]) <= 0;
  }
  return true;
}

export function encodeCursor(pageKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(pageKey), 'utf8').toString('base64url');
}

/**
 * Accept a cursor only if it is exactly the page key of this table/index and lies inside this query's key
 * condition (its partition and its prefix or range); DynamoDB would otherwise answer with a
 * ValidationException (or, worse, resume somewhere unrelated). Throws InvalidCursorError.
 */
export function decodeCursor(cursor: string, input: QueryInput): Record<string, string> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!isPageKey(decoded, input.index)) throw new InvalidCursorError();
  const keys = keyAttributes(input.index);
  // isPageKey checked that every page key attribute, the sort key among them, is a non-empty string.
  const sortValue = decoded[keys.sortKey] as string;
  if (decoded[keys.partitionKey] !== input.pk || !inSortRange(sortValue, input)) throw new InvalidCursorError();
  return decoded;
}

function isPageKey(value: unknown, index: IndexName | undefined): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const expected = pageKeyAttributes(index);
  return (
    Object.keys(record).length === expected.length && expected.every((name) => typeof record[name] === 'string' && record[name] !== '')
  );
}
