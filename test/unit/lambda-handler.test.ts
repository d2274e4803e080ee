/**
 * What every function's chain does (shared/observability/lambda-handler.ts) and the middlewares workers and
 * the step function add: Lambda context on log lines, metrics always flushed, log fields from the event,
 * failures logged, one log context per queue message.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { logger } from '../../shared/observability/logger';
import { perMessage } from '../../shared/observability/message-context';
import { metrics } from '../../shared/observability/metrics';
import { gate } from './gate';
import { logLinesOfEachTest } from './log-lines';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'DEBUG';
  // As Lambda sets it for an on-demand execution environment: Powertools reports cold starts only then.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  // Metrics are off in tests by default; here their EMF lines are the proof of the flush.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const context = (awsRequestId: string) =>
  ({ awsRequestId, functionName: 'eio-step-job', invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:step-job' }) as Context;

const logs = logLinesOfEachTest();

const linesSaying = (message: string) => logs.lines.filter((l) => l.message === message);

describe('every function (observedChain)', () => {
  // First in the file: the cold start belongs to the first invocation the logger sees.
  it("puts the invocation's function, request id and cold start on every log line", async () => {
    const handler = lambdaFunction(async (_event: object) => logger.info('working'));
    await handler({}, context('req-1'));
    await handler({}, context('req-2'));
    expect(linesSaying('working')).toEqual([
      expect.objectContaining({ function_name: 'eio-step-job', function_request_id: 'req-1', cold_start: true }),
      expect.objectContaining({ function_name: 'eio-step-job', function_request_id: 'req-2', cold_start: false }),
    ]);
  });

  it('flushes the metrics after every invocation, a failed one too', async () => {
    const handler = lambdaFunction(async (_event: object) => {
      metrics.addMetric('StepsRun', MetricUnit.Count, 1);
      throw new Error('store unavailable');
    });
    await expect(handler({}, context('req-3'))).rejects.toThrow('store unavailable');
    expect(metrics.hasStoredMetrics()).toBe(false);
    const emf = logs.lines.filter((l) => '_aws' in l);
    expect(emf).toEqual([expect.objectContaining({ StepsRun: 1, service: 'eio' })]);
  });

  it("logs Powertools' notice that an invocation recorded no metric at debug, not as a warning", async () => {
    await lambdaFunction(async (_event: object) => 'done')({}, context('req-4'));
    const notice = logs.lines.find((l) => String(l.message).startsWith('No application metrics to publish'));
    expect(notice).toMatchObject({ level: 'debug', function_request_id: 'req-4' });
  });

  it('runs without a Lambda context (a test or a tool calling the handler directly)', async () => {
    const handler = lambdaFunction(async (event: { n: number }) => event.n + 1);
    expect(await handler({ n: 1 }, undefined as unknown as Context)).toBe(2);
  });
});

describe('logContext', () => {
  it("puts the event's fields on every log line of the invocation, the failure's included", async () => {
    const handler = lambdaFunction(
      async (_event: { job_id: string; correlation_id: string }) => {
        logger.info('step running');
        throw new Error('vCenter unreachable');
      },
      { logContext: (event) => ({ correlation_id: event.correlation_id, job_id: event.job_id }) },
    );
    await expect(handler({ job_id: 'job-1', correlation_id: 'req-abc' }, context('req-5'))).rejects.toThrow();
    for (const message of ['step running', 'Invocation failed'])
      expect(linesSaying(message)).toEqual([expect.objectContaining({ correlation_id: 'req-abc', job_id: 'job-1' })]);
  });

  it('keeps each invocation to its own fields, even when they overlap', async () => {
    const both = gate(2);
    const handler = lambdaFunction(
      async (_event: { job_id: string }) => {
        await both.pass();
        logger.info('step running');
      },
      { logContext: (event) => ({ job_id: event.job_id }) },
    );
    const done = Promise.all([handler({ job_id: 'job-a' }, context('a')), handler({ job_id: 'job-b' }, context('b'))]);
    await both.openWhenAllInside();
    await done;
    expect(
      linesSaying('step running')
        .map((l) => l.job_id)
        .sort(),
    ).toEqual(['job-a', 'job-b']);
  });
});

describe('logFailures', () => {
  it('logs a failure as an error and lets it go on to Lambda', async () => {
    const failure = new Error('socket hang up');
    await expect(lambdaFunction(async (_event: object) => Promise.reject(failure))({}, context('req-6'))).rejects.toBe(failure);
    expect(linesSaying('Invocation failed')).toEqual([
      expect.objectContaining({ level: 'error', error: { name: 'Error', message: 'socket hang up' }, function_request_id: 'req-6' }),
    ]);
  });

  it('logs an error the caller expects as part of its flow at info', async () => {
    class JobNotActive extends Error {}
    const handler = lambdaFunction(async (_event: object) => Promise.reject(new JobNotActive('job is cancelled')), {
      expected: (e) => e instanceof JobNotActive,
    });
    await expect(handler({}, context('req-7'))).rejects.toBeInstanceOf(JobNotActive);
    expect(linesSaying('Invocation failed')).toEqual([]);
    expect(linesSaying('Invocation ended by an expected error')).toEqual([
      expect.objectContaining({ level: 'info', error: expect.objectContaining({ message: 'job is cancelled' }) }),
    ]);
  });
});

describe('perMessage', () => {
  const record = (messageId: string) => ({ messageId, body: '{}' }) as SQSRecord;

  it('runs each message under its message id as correlation id, logs its failure and passes it on', async () => {
    const handle = perMessage(async (r) => {
      logger.info('handling');
      if (r.messageId === 'm-2') throw new Error('bad message');
    });
    await handle(record('m-1'));
    await expect(handle(record('m-2'))).rejects.toThrow('bad message');
    expect(linesSaying('handling').map((l) => l.correlation_id)).toEqual(['m-1', 'm-2']);
    expect(linesSaying('Message failed')).toEqual([
      expect.objectContaining({
        level: 'error',
        correlation_id: 'm-2',
        message_id: 'm-2',
        error: { name: 'Error', message: 'bad message' },
      }),
    ]);
  });
});
