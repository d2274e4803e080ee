/**
 * What the first step of a job that works inside host maintenance ("Plan evacuation", "Check plan") does once
 * it has a plan: fail the job when the plan is refused, take the locks (two jobs never work on one host or
 * iDRAC), open the hosts' ledgers, and say whether to ask for approval: a plan whose hash an approver approved,
 * or one whose work has begun (a resumed execution after a crash), needs none. host_maintenance and
 * firmware_update both end their plan step here.
 */
import { ConflictError } from '../../domain/errors';
import type { StepContext } from '../../jobs/job-type';
import { jobs } from '../../records/jobs';
import { moveJob } from '../jobs/common';
import { lockHosts } from '../jobs/host-locks';
import { openLedgers } from './ledger';
import type { ScopeHost } from './scope';

/** One Map item of the state machine: a cluster (or a standalone host, or iDRACs alone) and its servers. */
export type PlanGroup = {
  key: string;
  max_hosts_in_maintenance: number;
  hosts: ({ job_id: string; target_id: string } & Record<string, unknown>)[];
};
export type SettledPlan = { refused: boolean; requires_approval: boolean; plan_hash: string; groups: PlanGroup[] };

export type Planned = {
  hash: string;
  /** Why the plan is refused (its findings), when it is. */
  refusal?: string;
  /** What the job's result says when the plan is refused. */
  refusedResult: Record<string, unknown>;
  /** Stored as the step's result. */
  record: Record<string, unknown>;
  /** Everything the job must hold alone: host target ids, iDRAC endpoint ids. */
  locks: string[];
  /** Hosts whose maintenance ledgers the job opens, and those already in maintenance mode. */
  hosts: ScopeHost[];
  in_maintenance: string[];
  groups: PlanGroup[];
  /** Opens the job's other ledgers; answers whether any already shows work begun. */
  openOthers?: () => Promise<boolean>;
};

export async function settlePlan(
  ctx: StepContext,
  planned: Planned,
  approvedHash?: string,
): Promise<{ result: SettledPlan; record: Record<string, unknown> }> {
  const refuse = async (reason: string) => {
    await moveJob(ctx.deps, ctx.job.id, 'failed', { status_reason: reason, result: planned.refusedResult });
    return { result: { refused: true, requires_approval: false, plan_hash: planned.hash, groups: [] }, record: planned.record };
  };
  if (planned.refusal !== undefined) return refuse(planned.refusal);
  try {
    await lockHosts(ctx.deps, ctx.job, planned.locks);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return refuse(e.message);
  }
  // With the locks held, the job's records are opened all at once.
  const [ledgers, othersStarted, job] = await Promise.all([
    openLedgers(ctx.deps, ctx.job, planned.hosts, planned.in_maintenance),
    planned.openOthers?.() ?? false,
    jobs.get(ctx.deps.store, ctx.job.id),
  ]);
  const started = othersStarted || ledgers.some((l) => l.phase !== 'waiting');
  if (approvedHash !== undefined && approvedHash === planned.hash)
    await jobs.update(ctx.deps.store, job.id, (j) => ({ ...j, approved_plan_hash: planned.hash }));
  // A resumed execution (after a crash) finds its own progress in the plan: what was approved stands.
  const approved =
    approvedHash === planned.hash || job.approved_plan_hash === planned.hash || (job.approved_plan_hash !== undefined && started);
  return {
    result: { refused: false, requires_approval: job.requires_approval && !approved, plan_hash: planned.hash, groups: planned.groups },
    record: planned.record,
  };
}
