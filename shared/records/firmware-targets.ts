/**
 * A firmware_update job's progress. Targets: pk FWTARGET#<job id>|<target id> / sk FWTARGET; gsi2
 * FWJOB#<job id> / <target id> (every server of one job). Rollouts: pk FWROLLOUT#<job id> / sk FWROLLOUT, what
 * the rollout guard accepted last (the job's start, an operator's `continue`). Updates are conditional on the
 * version (a step and a compensation may race).
 */
import type { FirmwareRollout, FirmwareTarget } from '../domain/firmware';
import type { Store } from '../ports/store';
import { Entity } from './entity';
import { allItems } from './paging';

class FirmwareTargetRecords extends Entity<FirmwareTarget> {
  /** Every server of one job, in target id order. */
  ofJob(store: Store, jobId: string): Promise<FirmwareTarget[]> {
    return allItems((cursor) => this.listBy(store, `FWJOB#${jobId}`, { limit: 100, cursor }));
  }
}

export const firmwareTargets = new FirmwareTargetRecords('firmware target', 'FWTARGET', (t) => ({
  gsi2pk: `FWJOB#${t.job_id}`,
  gsi2sk: t.target_id,
}));

export const firmwareRollouts = new Entity<FirmwareRollout>('firmware rollout', 'FWROLLOUT');
