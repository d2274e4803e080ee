/**
 * One queue message is one unit of work: it runs in a log context of its own (correlation id = its SQS
 * message id), and its failure is logged with that id before the batch processor reports it for redelivery.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { runWithContext } from './context';
import { logger } from './logger';

export const perMessage =
  (handle: (record: SQSRecord, context?: Context) => Promise<void>) =>
  (record: SQSRecord, context?: Context): Promise<void> =>
    runWithContext({ correlation_id: record.messageId }, async () => {
      try {
        await handle(record, context);
      } catch (error) {
        logger.error('Message failed', { message_id: record.messageId, error: error as Error });
        throw error;
      }
    });
