import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parsePoolMessage } from '../../shared/catalog/messages';
import { deps } from '../../shared/container';
import { addToContext } from '../../shared/observability/context';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';
import { dispatchJob } from '../../shared/usecases/jobs/dispatch';

const processor = new BatchProcessor(EventType.SQS);

/** One record = one job to start; a failed record alone is retried (partial batch response). */
async function dispatchRecord(record: SQSRecord): Promise<void> {
  const { job_id } = parsePoolMessage('jobs', record.body);
  addToContext({ job_id });
  await dispatchJob(await deps(), job_id);
}

export const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, perMessage(dispatchRecord), processor, { context }),
);
