/** One "Request handled" line per request (route, status, duration_ms), error responses included. */
import type { MiddlewareObj, Request } from '@middy/core';
import { logger } from '../../observability/logger';
import type { ApiEvent } from '../request';
import type { ApiResult } from '../respond';

export const accessLog = (): MiddlewareObj<ApiEvent, ApiResult> => {
  const started = new WeakMap<Request, number>();
  const log = (request: Request<ApiEvent, ApiResult>): void => {
    if (!request.response) return;
    logger.info('Request handled', {
      route: request.event.routeKey,
      status: request.response.statusCode,
      duration_ms: Date.now() - (started.get(request) ?? Date.now()),
    });
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: log,
    onError: log,
  };
};
