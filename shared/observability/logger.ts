import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { config } from '../config';
import { currentContext } from './context';
import { redact } from './redact';

/**
 * Log lines in the runbook's shape: timestamp, level, message, correlation_id, and job_id, step_id,
 * external_task_id, duration_ms where they apply; the caller (`actor`) of a request; the function, its
 * invocation's request id and cold start (Powertools' injectLambdaContext) and the X-Ray trace id; everything
 * else follows, with secrets redacted.
 */
class RunbookLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const ctx = currentContext();
    const lambda = attributes.lambdaContext;
    const item = new LogItem({
      attributes: {
        timestamp: this.formatTimestamp(attributes.timestamp),
        level: String(attributes.logLevel).toLowerCase(),
        message: attributes.message,
        correlation_id: ctx.correlation_id,
        job_id: ctx.job_id,
        step_id: ctx.step_id,
        external_task_id: ctx.external_task_id,
        actor: ctx.actor,
        service: attributes.serviceName,
        function_name: lambda?.functionName,
        function_request_id: lambda?.awsRequestId,
        cold_start: lambda?.coldStart,
        xray_trace_id: attributes.xRayTraceId,
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

/** The few logger methods adapters use, with plain attribute objects; the Powertools logger fits, tests pass a recorder. */
export interface AdapterLog {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** The service's logger (runbook line shape, secrets redacted) behind AdapterLog. */
export const adapterLog: AdapterLog = {
  debug: (message, attributes = {}) => logger.debug(message, attributes as LogAttributes),
  info: (message, attributes = {}) => logger.info(message, attributes as LogAttributes),
  warn: (message, attributes = {}) => logger.warn(message, attributes as LogAttributes),
  error: (message, attributes = {}) => logger.error(message, attributes as LogAttributes),
};
