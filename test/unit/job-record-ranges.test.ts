/**
 * The narrow reads the rollout's steps use instead of a whole job's records: a job's steps since a time (step
 * ids are time-ordered) and one endpoint's iDRAC job entries of one job.
 */
import { describe, expect, it } from 'vitest';
import { idracJobEntryId } from '../../shared/domain/firmware';
import { newId } from '../../shared/domain/ids';
import { idracJobs } from '../../shared/records/idrac-jobs';
import { listSteps, listStepsSince, putStep } from '../../shared/records/jobs';
import { MemoryStore } from '../support/memory-store';

const T0 = Date.parse('2026-12-05T06:00:00Z');

describe('job steps since a time', () => {
  it('answers the steps started at or after it, whatever else the job has, and no other job’s', async () => {
    const store = new MemoryStore();
    const step = (jobId: string, at: number, name: string) =>
      putStep(store, { step_id: newId('step', at), job_id: jobId, name, status: 'running', started_at: new Date(at).toISOString() });
    for (let i = 0; i < 150; i++) await step('job-a', T0 + i, `early ${i}`);
    await step('job-a', T0 + 60_000, 'at the time');
    await step('job-a', T0 + 90_000, 'later');
    await step('job-b', T0 + 90_000, 'another job');

    const since = await listStepsSince(store, 'job-a', T0 + 60_000);

    expect(since.map((s) => s.name)).toEqual(['at the time', 'later']);
    expect(await listSteps(store, 'job-a')).toHaveLength(152);
  });
});

describe("one endpoint's iDRAC job entries of one job", () => {
  it('answers that endpoint’s entries of that job only', async () => {
    const store = new MemoryStore();
    const entry = (endpointId: string, jobId: string, index: number) =>
      idracJobs.create(store, {
        id: idracJobEntryId(endpointId, jobId, index),
        endpoint_id: endpointId,
        job_id: jobId,
        target_id: `vc-1/host-${endpointId}`,
        image_uri: `https://repo.example/${index}.exe`,
        state: 'scheduled',
        created_at: new Date(T0).toISOString(),
        updated_at: new Date(T0).toISOString(),
        version: 1,
      });
    await entry('idrac-1', 'job-a', 0);
    await entry('idrac-1', 'job-a', 1);
    await entry('idrac-10', 'job-a', 0);
    await entry('idrac-2', 'job-a', 0);
    await entry('idrac-1', 'job-b', 0);

    const mine = await idracJobs.ofJobOnEndpoint(store, 'job-a', 'idrac-1');

    expect(mine.map((e) => e.id).sort()).toEqual([idracJobEntryId('idrac-1', 'job-a', 0), idracJobEntryId('idrac-1', 'job-a', 1)]);
  });
});
