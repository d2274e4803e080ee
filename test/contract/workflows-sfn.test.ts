import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executionArnOf, SfnWorkflows } from '../../shared/adapters/workflows/sfn-workflows';
import { type FakeSfnServer, startFakeSfnServer } from '../support/fake-sfn-server';
import { loadFixtureWorkflows, TestFunctions, untilFinished, workflowsContract } from './workflows.contract';

// The real SDK client, as a container would create it, pointed at the fake Step Functions endpoint.
const clientFor = (server: FakeSfnServer) =>
  new SFNClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

workflowsContract('SfnWorkflows over the real SDK client against the fake Step Functions server', async (setup) => {
  const server = await startFakeSfnServer(setup);
  const client = clientFor(server);
  return {
    workflows: new SfnWorkflows(client, { stateMachineArns: server.stateMachineArns }),
    async close() {
      client.destroy();
      await server.close();
    },
  };
});

describe('SfnWorkflows specifics', () => {
  let definitions: Awaited<ReturnType<typeof loadFixtureWorkflows>>;
  let fns: TestFunctions;
  let server: FakeSfnServer;
  let client: SFNClient;
  let wf: SfnWorkflows;
  beforeAll(async () => {
    definitions = await loadFixtureWorkflows();
  });
  beforeEach(async () => {
    fns = new TestFunctions();
    server = await startFakeSfnServer({ workflows: definitions, invoke: fns.invoke });
    client = clientFor(server);
    wf = new SfnWorkflows(client, { stateMachineArns: server.stateMachineArns });
  });
  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  it('derives execution ARNs from the state machine ARN as Step Functions forms them', () => {
    expect(executionArnOf('arn:aws:states:eu-west-1:123456789012:stateMachine:eio-maintenance', 'job-1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:eio-maintenance:job-1',
    );
    expect(() => executionArnOf('arn:aws:lambda:eu-west-1:123456789012:function:x', 'job-1')).toThrow(/state machine ARN/);
  });

  it('looks before it starts, so a repeat never issues a second StartExecution', async () => {
    const first = await wf.start('two-steps', 'job-wire', { request: { id: 'w' } });
    await untilFinished(wf, first.executionId);
    server.calls.length = 0;
    expect(await wf.start('two-steps', 'job-wire', { request: { id: 'w' } })).toEqual({
      executionId: first.executionId,
      alreadyStarted: true,
    });
    expect(server.calls).toEqual(['DescribeExecution']);
  });

  it('reports alreadyStarted for the loser of a race that Step Functions answers ExecutionAlreadyExists', async () => {
    // Different inputs: whichever start comes second is refused by Step Functions (or finds the first).
    const starts = await Promise.all([
      wf.start('two-steps', 'job-racing', { request: { id: 'x' } }),
      wf.start('two-steps', 'job-racing', { request: { id: 'y' } }),
    ]);
    expect(starts[0]!.executionId).toBe(starts[1]!.executionId);
    expect(starts.filter((s) => !s.alreadyStarted)).toHaveLength(1);
    await untilFinished(wf, starts[0]!.executionId);
    expect(fns.callsOf('test-validate')).toHaveLength(1);
  });

  it('names the workflow from the state machine ARN and parses input and output JSON', async () => {
    const { executionId } = await wf.start('invoke-integration', 'job-json', { n: 1, list: [true, null] });
    const done = await untilFinished(wf, executionId);
    expect(done.workflow).toBe('invoke-integration');
    expect(done.name).toBe('job-json');
    expect(done.input).toEqual({ n: 1, list: [true, null] });
    expect(done.output).toMatchObject({ echo: { Payload: { echoed: { n: 1, list: [true, null] } } } });
  });

  it('refuses a workflow it has no state machine ARN for', async () => {
    await expect(wf.start('no-such-workflow', 'job-x', {})).rejects.toThrow(/Unknown workflow 'no-such-workflow'/);
  });

  it('surfaces other Step Functions errors as the SDK reports them', async () => {
    await expect(wf.start('two-steps', 'bad name with spaces', {})).rejects.toMatchObject({ name: 'InvalidName' });
  });
});
