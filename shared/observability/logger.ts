import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { config } from '../config';
import { currentContext } from './context';
import { redact } from './redact';

/**
 * Log lines in the runbook's shape: timestamp, level, message, correlation_id, and job_id, step_id,
 * external_task_id, duration_ms where they apply; everything else follows, with secrets redacted.
 */
class RunbookLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const ctx = currentContext();
    const item = new LogItem({
      attributes: {
        timestamp: this.formatTimestamp(attributes.timestamp),
        level: String(attributes.logLevel).toLowerCase(),
        message: attributes.message,
        correlation_id: ctx.correlation_id,
        job_id: ctx.job_id,
        step_id: ctx.step_id,
        external_task_id: ctx.external_task_id,
        service: attributes.serviceName,
      },
    });
    item.addAttributes(redact(additional) as LogAttributes);
    return item;
  }
}

export const logger = new Logger({
  serviceName: 'eio',
  logLevel: config().logLevel,
  logFormatter: new RunbookLogFormatter(),
});
