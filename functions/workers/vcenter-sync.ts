import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';
import { scheduleSyncAll } from '../../shared/usecases/vcenter-sync';
import { executeSync } from '../../shared/usecases/vcenter-sync-run';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.union([
  z.object({
    instance_id: z.string().min(1),
    sync_type: z.enum(['full', 'delta']),
    sync_run_id: z.string().min(1),
    /** Absent on the first attempt; a retry's message carries its number. */
    attempt: z.number().int().min(1).optional(),
  }),
  /** From the schedules: one run per registered instance. */
  z.object({ task: z.literal('vcenter-sync-all'), sync_type: z.enum(['full', 'delta']) }),
]);

/**
 * One record = one attempt of one sync run (or a schedule's "sync every instance", which queues those).
 * vCenter failures are recorded on the run, not thrown (a transport failure queues the next attempt as a
 * delayed message); only infrastructure errors leave the record for SQS to redeliver.
 */
async function syncRecord(record: SQSRecord): Promise<void> {
  const msg = Message.parse(JSON.parse(record.body));
  if ('task' in msg) {
    await scheduleSyncAll(await deps(), msg.sync_type);
    return;
  }
  await executeSync(await deps(), msg.sync_run_id, msg.attempt ?? 1);
}

export const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, perMessage(syncRecord), processor, { context }),
);
