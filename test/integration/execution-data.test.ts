import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../support/maintenance-lab';

/**
 * What an operator tracking a job in the Step Functions console sees: each execution's input and output
 * (the same ASL runs locally): the job and its result, and never a credential, though the job logged in to vCenter
 * with one on every step.
 */
const CANARY = 'Exec-Canary-Pw-7';

describe('Step Functions execution data', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ hostsPerCluster: 2, vmsPerHost: 1, password: CANARY });
  }, 120_000);
  afterAll(async () => lab?.close());

  it('a host maintenance execution shows its job in its input and output, and no credential', async () => {
    const [host] = await lab.inventory('hosts');
    const id = await lab.submit([host!.target_id]);
    const done = await lab.until(id, ['succeeded', 'failed', 'cancelled', 'paused']);
    expect(done.status, JSON.stringify(done.result)).toBe('succeeded');
    expect(done.execution_id).toEqual(expect.any(String));

    const execution = await lab.h.stack.deps.workflows.describe(done.execution_id);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', input: { job_id: id, type: 'host_maintenance', attempt: expect.any(Number) } });
    expect(execution.name).toContain(id);
    // The output is the job's result: what it did to each host.
    expect(execution.output).toMatchObject({
      result: { targets: 1, hosts: [expect.objectContaining({ host_id: host!.target_id, phase: 'done' })] },
    });
    const shown = JSON.stringify([execution.input, execution.output]);
    expect(shown).not.toContain(CANARY);
    expect(shown).not.toMatch(/"(password|secret|session|cookie|authorization)"\s*:/i);
  }, 120_000);
});
