import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { deps } from '../../shared/container';
import { runWithContext } from '../../shared/observability/context';
import { discoverAllSites, discoverChunk } from '../../shared/usecases/dell-discovery';

const processor = new BatchProcessor(EventType.SQS);
const Chunk = z.object({ run_id: z.string(), site_id: z.string(), chunk: z.number().int(), addresses: z.array(z.string()) });
const Scheduled = z.object({ task: z.literal('discover_all') });

/** One record = a slice of a sweep (or the periodic "discover every site"); a failed record alone is retried. */
async function discoverRecord(record: SQSRecord): Promise<void> {
  const body: unknown = JSON.parse(record.body);
  const scheduled = Scheduled.safeParse(body);
  await runWithContext({ correlation_id: record.messageId }, async () => {
    if (scheduled.success) await discoverAllSites(await deps());
    else await discoverChunk(await deps(), Chunk.parse(body));
  });
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, discoverRecord, processor, { context });
