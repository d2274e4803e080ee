/**
 * Every error of the request becomes its HTTP response here, in the spirit of middy's http-error-handler:
 * 4xx show their message (and details), anything else is a 500 that shows only the correlation id
 * (toErrorResponse, the one mapping of typed errors).
 */
import type { MiddlewareObj } from '@middy/core';
import { toErrorResponse } from '../errors';
import type { ApiContext, ApiEvent } from '../request';
import type { ApiResult } from '../respond';

export const httpErrors = (): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  onError: (request) => {
    request.response = toErrorResponse(request.error, request.context.correlationId);
  },
});
