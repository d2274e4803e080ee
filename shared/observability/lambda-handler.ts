/**
 * Every EIO function is a middy chain that starts the same way: an X-Ray segment for the handler (AWS only),
 * Powertools' Lambda context on every log line (request id, cold start), and metrics flushed after every
 * invocation, failed ones included. Each invocation runs in a log context of its own (AsyncLocalStorage),
 * opened around the whole chain so the after and onError middlewares log under it too, and so concurrent
 * invocations in one process (the local stack) never share correlation ids or job ids.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { runWithContext, type WorkContext } from './context';
import { logger } from './logger';
import { metrics } from './metrics';
import { logContext } from './middleware/log-context';
import { logFailures } from './middleware/log-failures';
import { tracer } from './tracer';

export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/** The start of every function's chain; `TContext` is what the function's own middlewares add to the context. */
export function observedChain<TEvent, TResult, TContext extends Context = Context>() {
  const chain = middy<TEvent, TResult, Error, TContext>();
  // Not the response: an inventory page or a step's result can pass X-Ray's 64 KB segment limit and lose the segment.
  if (tracer) chain.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return (
    chain
      // Never the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: request bodies carry credentials.
      .use(injectLambdaContext(logger, { logEvent: false }))
      .use(logMetrics(metrics))
  );
}

/** The handler Lambda calls: the chain, each invocation in a fresh log context. */
export const inOwnLogContext =
  <TEvent, TResult, TContext extends Context>(
    chain: (event: TEvent, context: TContext) => Promise<TResult>,
  ): LambdaHandler<TEvent, TResult> =>
  (event, context) =>
    runWithContext({}, () => chain(event, context as TContext));

export type FunctionOptions<TEvent> = {
  /** Log fields the event carries (correlation id, job id). */
  logContext?: (event: TEvent) => WorkContext;
  /** Errors that are part of the flow (a state machine catches them): logged at info, not as failures. */
  expected?: (error: unknown) => boolean;
};

/** A worker or step function: the observed chain, its log fields, and its failures logged. */
export function lambdaFunction<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  opts: FunctionOptions<TEvent> = {},
): LambdaHandler<TEvent, TResult> {
  const chain = observedChain<TEvent, TResult>().use(logFailures(opts.expected));
  if (opts.logContext) chain.use(logContext(opts.logContext));
  return inOwnLogContext(chain.handler(handler));
}
