import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { deps } from '../../shared/container';
import { runWithContext } from '../../shared/observability/context';
import { executeSync, scheduleSyncAll } from '../../shared/usecases/vcenter-sync';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.union([
  z.object({ instance_id: z.string().min(1), sync_type: z.enum(['full', 'delta']), sync_run_id: z.string().min(1) }),
  /** From the schedules: one run per registered instance. */
  z.object({ task: z.literal('vcenter-sync-all'), sync_type: z.enum(['full', 'delta']) }),
]);

/**
 * One record = one sync run of one instance (or a schedule's "sync every instance", which queues those).
 * vCenter failures are recorded on the run, not thrown; only infrastructure errors leave the record for retry.
 */
async function syncRecord(record: SQSRecord): Promise<void> {
  const msg = Message.parse(JSON.parse(record.body));
  if ('task' in msg) {
    await runWithContext({ correlation_id: record.messageId }, async () => scheduleSyncAll(await deps(), msg.sync_type));
    return;
  }
  await runWithContext({ correlation_id: record.messageId }, async () => executeSync(await deps(), msg.sync_run_id));
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, syncRecord, processor, { context });
