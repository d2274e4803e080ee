import { ZodError } from 'zod';
import { AppError, ConflictError, ReadOnlyError, ValidationError } from '../domain/errors';
import { logger } from '../observability/logger';
import { ConditionFailedError, InvalidCursorError } from '../ports/store';
import { type ApiResult, json } from './respond';

/**
 * The one place typed errors become HTTP responses (in the spirit of middy's http-error-handler):
 * 4xx show their message and details; anything else is a 500 that shows only the correlation id,
 * while the log line keeps the real cause for the operator.
 */
export function toErrorResponse(err: unknown, correlationId: string): ApiResult {
  const known = asAppError(err);
  if (known) {
    // A write refused in read-only mode is the system doing what an admin asked, not a failure.
    if (known.status >= 500 && !(known instanceof ReadOnlyError))
      logger.error(known.message, { error: err as Error, correlation_id: correlationId });
    else logger.info('Request rejected', { status: known.status, code: known.code, reason: known.message });
    return json(known.status, {
      error: {
        code: known.code,
        message: known.message,
        ...(known.details === undefined ? {} : { details: known.details }),
        correlation_id: correlationId,
      },
    });
  }
  logger.error('Unhandled error', { error: err as Error, correlation_id: correlationId });
  return json(500, {
    error: {
      code: 'internal_error',
      message: `Internal error; quote correlation id ${correlationId} when reporting it`,
      correlation_id: correlationId,
    },
  });
}

function asAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  // A conditional write that lost a race: someone else changed the record first.
  if (err instanceof ConditionFailedError) return new ConflictError('The record was changed by someone else; read it again and retry');
  if (err instanceof InvalidCursorError) return new ValidationError(err.message, [{ path: 'query.next_token', message: err.message }]);
  if (err instanceof ZodError)
    return new ValidationError(
      'Invalid input',
      err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  return undefined;
}
