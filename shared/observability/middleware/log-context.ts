/**
 * Puts fields the event carries (the job it is about, the correlation id of the request that started it) on
 * every log line of the invocation. Needs the invocation's own log context, which lambdaHandler opens.
 */
import type { MiddlewareObj } from '@middy/core';
import { addToContext, type WorkContext } from '../context';

export const logContext = <TEvent>(fieldsOf: (event: TEvent) => WorkContext): MiddlewareObj<TEvent> => ({
  before: (request) => {
    addToContext(fieldsOf(request.event));
  },
});
