/**
 * Tracing is for AWS only: the local stack and the tests have no X-Ray daemon, so there is no tracer even
 * where Powertools alone would think it runs in Lambda (nor the X-Ray SDK's async hook on every promise), and
 * a function still runs.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { tracer } from '../../shared/observability/tracer';

vi.hoisted(() => {
  // What Lambda sets: without EIO_RUNTIME=aws, EIO still does not trace.
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1';
});

describe('tracer', () => {
  it('is not loaded outside AWS, and a function runs without it', async () => {
    expect(tracer).toBeUndefined();
    expect((process as { namespaces?: Record<string, unknown> }).namespaces?.AWSXRay).toBeUndefined();
    const handler = lambdaFunction(async (event: { n: number }) => event.n * 2);
    expect(await handler({ n: 21 }, { awsRequestId: 'req-1' } as Context)).toBe(42);
  });
});
