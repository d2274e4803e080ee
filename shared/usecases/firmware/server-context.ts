/**
 * What every firmware step on one server starts from: its record (domain/firmware.ts FirmwareTarget), the job's
 * params, the check before a side effect (the kill switch, the job still active) and the step's deadline. Each
 * step returns a `state` the state machine chooses its next state by.
 */
import { type FirmwareTarget, FirmwareUpdateParams, firmwareTargetId } from '../../domain/firmware';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { firmwareTargets } from '../../records/firmware-targets';
import { idracJobs } from '../../records/idrac-jobs';
import type { EngineDeps } from '../jobs/common';
import { mayAct, STEP_BUDGET_MS } from '../maintenance/host-context';

export type ServerState = 'go' | 'paused' | 'staged' | 'rebooted' | 'working' | 'applied' | 'updated' | 'failed' | 'done';
export type ServerStepResult = { target_id: string; state: ServerState } & Record<string, unknown>;

export type ServerCtx = {
  ctx: StepContext;
  target: FirmwareTarget;
  params: FirmwareUpdateParams;
  /** When this invocation stops and hands over to the next. */
  deadline: number;
  /** Refuses (throws) once the kill switch is on or the job has ended: right before each side effect. */
  mayAct(): Promise<void>;
};

export const firmwareParamsOf = (ctx: Pick<StepContext, 'job'>) => FirmwareUpdateParams.parse(ctx.job.params);

export async function serverCtx(ctx: StepContext, targetId: string): Promise<ServerCtx> {
  const target = await firmwareTargets.get(ctx.deps.store, firmwareTargetId(ctx.job.id, targetId));
  return {
    ctx,
    target,
    params: firmwareParamsOf(ctx),
    deadline: ctx.deps.clock.now() + STEP_BUDGET_MS,
    mayAct: () => mayAct(ctx),
  };
}

/** The server's entries in the iDRAC job ledger (those of its iDRAC in this job that name it). */
export const entriesOf = async (s: Pick<ServerCtx, 'ctx' | 'target'>) =>
  (await idracJobs.ofJobOnEndpoint(s.ctx.deps.store, s.ctx.job.id, s.target.endpoint_id)).filter((e) => e.target_id === s.target.target_id);

export const changeTarget = (
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  target: Pick<FirmwareTarget, 'id'>,
  change: (t: FirmwareTarget) => Partial<FirmwareTarget>,
) => firmwareTargets.update(deps.store, target.id, (t) => ({ ...t, ...change(t), updated_at: isoNow(deps.clock) }));

/** The server failed: noted on its record (the rollout guard counts it), the job goes on with the others. */
export async function failServer(s: ServerCtx, error: string): Promise<ServerStepResult> {
  await changeTarget(s.ctx.deps, s.target, (t) => ({ phase: 'failed', error: t.error ?? error }));
  return { target_id: s.target.target_id, state: 'failed', error };
}
