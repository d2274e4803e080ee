/**
 * The request's correlation id: the caller's `x-correlation-id` when it is sane, otherwise a new one. It is on
 * every log line of the request, on the context for the route function, and echoed on every response,
 * error responses included (this middleware's onError runs after the error mapping has made the response).
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import { addToContext } from '../../observability/context';
import type { ApiContext, ApiEvent } from '../request';
import type { ApiResult } from '../respond';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The given id when it is sane (at most 128 of `[A-Za-z0-9._:-]`), otherwise a new one. */
export const correlationIdFrom = (given: string | undefined): string => (given && SANE.test(given) ? given : randomUUID());

type ApiRequestState = Request<ApiEvent, ApiResult, Error, ApiContext>;

const echo = (request: ApiRequestState): void => {
  if (!request.response) return;
  request.response = { ...request.response, headers: { ...request.response.headers, 'x-correlation-id': request.context.correlationId } };
};

export const correlationId = (): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  before: (request) => {
    request.context.correlationId = correlationIdFrom(request.event.headers?.['x-correlation-id']);
    addToContext({ correlation_id: request.context.correlationId });
  },
  after: echo,
  onError: echo,
});
