/**
 * The local stack runs many invocations in one process; each gets a scope of Lambda's InvokeStore, as in an
 * execution environment that takes concurrent invocations, so Powertools keeps each one's Lambda context and
 * batch state apart.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { inInvocationScope } from '../../infra/local/function-invoker';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { logger } from '../../shared/observability/logger';
import { gate } from './gate';
import { logLinesOfEachTest } from './log-lines';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'INFO';
});

const contextOf = (name: string) => ({ awsRequestId: `req-${name}`, functionName: 'eio-test' }) as Context;

const logs = logLinesOfEachTest();

describe('local invocations', () => {
  it('each log line carries the request id of its own invocation, however the invocations interleave', async () => {
    const all = gate(3);
    const handler = lambdaFunction(async (event: { name: string }) => {
      await all.pass();
      logger.info('working', { invocation: event.name });
    });
    const invoke = (name: string) => inInvocationScope(contextOf(name), () => handler({ name }, contextOf(name)));
    const done = Promise.all([invoke('a'), invoke('b'), invoke('c')]);
    // Every invocation has had its Lambda context injected before any of them logs.
    await all.openWhenAllInside();
    await done;
    const working = logs.lines.filter((l) => l.message === 'working');
    expect(working).toHaveLength(3);
    for (const line of working) expect(line.function_request_id).toBe(`req-${line.invocation}`);
  });

  it("keeps concurrent batches of one worker apart, though they share the module's batch processor", async () => {
    // Created at module scope, as every worker does; the invoker loads modules in a scope of their own.
    const processor = inInvocationScope(contextOf('init'), () => new BatchProcessor(EventType.SQS));
    const all = gate(3);
    const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
      processPartialResponse(
        event,
        async (record: SQSRecord) => {
          await all.pass();
          if (record.body === 'fail') throw new Error('cannot handle it');
        },
        processor,
        { context },
      ),
    );
    const records = (...bodies: [string, string][]) => ({ Records: bodies.map(([messageId, body]) => ({ messageId, body }) as SQSRecord) });
    const invoke = (name: string, event: SQSEvent) => inInvocationScope(contextOf(name), () => handler(event, contextOf(name)));
    const a = invoke('a', records(['a-1', 'fail'], ['a-2', 'ok']));
    const b = invoke('b', records(['b-1', 'ok']));
    await all.openWhenAllInside();
    expect(await a).toEqual({ batchItemFailures: [{ itemIdentifier: 'a-1' }] });
    expect(await b).toEqual({ batchItemFailures: [] });
  });
});
