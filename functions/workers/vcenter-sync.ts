import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parsePoolMessage } from '../../shared/catalog/messages';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';
import { scheduleSyncAll } from '../../shared/usecases/vcenter-sync-requests';
import { executeSync } from '../../shared/usecases/vcenter-sync-run';

const processor = new BatchProcessor(EventType.SQS);

/**
 * One record = one attempt of one sync run (or a schedule's "sync every instance", which queues those).
 * vCenter failures are recorded on the run, not thrown (a transport failure queues the next attempt as a
 * delayed message); only infrastructure errors leave the record for SQS to redeliver.
 */
async function syncRecord(record: SQSRecord): Promise<void> {
  const msg = parsePoolMessage('vcenter-sync', record.body);
  if ('task' in msg) {
    await scheduleSyncAll(await deps(), msg.sync_type);
    return;
  }
  await executeSync(await deps(), msg.sync_run_id, msg.attempt ?? 1);
}

export const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, perMessage(syncRecord), processor, { context }),
);
