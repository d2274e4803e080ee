/**
 * A whole record migration pass in AWS, when an operator invokes it (housekeeping only migrates 20 seconds per
 * sweep). It stops a minute before its own timeout; the pass's checkpoint lets the next invocation carry on, and
 * the answer says whether it is complete (docs/operations.md, "Record migration").
 */
import type { Context } from 'aws-lambda';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { migrateRecords, totalOf } from '../../shared/usecases/record-migration';

const MARGIN_MS = 60_000;

export const handler = lambdaFunction(async (_event: unknown, context: Context) => {
  const d = await deps();
  const migration = await migrateRecords(d, { deadline: d.clock.now() + context.getRemainingTimeInMillis() - MARGIN_MS });
  return { status: migration.status, started_at: migration.started_at, ...totalOf(migration), kinds: migration.counts };
});
