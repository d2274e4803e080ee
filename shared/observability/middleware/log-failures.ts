/**
 * Logs a failed invocation under its log context (correlation id, job), then lets the error go on to Lambda,
 * which retries or hands it to the state machine. The Lambda runtime's own line about it carries none of
 * those fields. Errors the caller expects as part of its flow (a state machine catches them) are logged at info.
 */
import type { MiddlewareObj } from '@middy/core';
import { logger } from '../logger';

export const logFailures = (expected: (error: unknown) => boolean = () => false): MiddlewareObj => ({
  onError: (request) => {
    const error = request.error as Error;
    if (expected(error)) logger.info('Invocation ended by an expected error', { error });
    else logger.error('Invocation failed', { error });
  },
});
