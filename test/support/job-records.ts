import type { Job } from '../../shared/domain/job';
import type { Policy } from '../../shared/domain/policy';
import type { Clock } from '../../shared/ports/clock';
import type { Store } from '../../shared/ports/store';
import { jobs } from '../../shared/records/jobs';

/** Stores a running job made by alice, created now; `fields` override any of it (id, type, status, targets, …). */
export async function storedJob(deps: { store: Store; clock: Clock }, fields: Partial<Job> & Pick<Job, 'id'>): Promise<Job> {
  const at = new Date(deps.clock.now()).toISOString();
  return jobs.create(deps.store, {
    type: 'health_check',
    target_ids: ['site-a'],
    params: {},
    status: 'running',
    requested_by: 'alice',
    requires_approval: false,
    created_at: at,
    updated_at: at,
    execution_attempt: 1,
    version: 1,
    ...fields,
  });
}

/** A policy that lets host_maintenance jobs resume with shutdown_vms anywhere, without approval; `fields` override it. */
export const resumePolicy = (fields: Partial<Policy> & Pick<Policy, 'id'>): Policy => ({
  name: fields.id,
  description: '',
  job_types: ['host_maintenance'],
  target_ids: [],
  requires_approval: false,
  approval_timeout_minutes: 60,
  enabled: true,
  allowed_resume_actions: ['shutdown_vms'],
  created_at: '2026-11-23T10:00:00.000Z',
  updated_at: '2026-11-23T10:00:00.000Z',
  created_by: 'admin',
  version: 1,
  ...fields,
});
