/**
 * "Reboot server": the iDRAC reboots the server so that the updates staged "on reset" apply (Redfish
 * ComputerSystem.Reset; over WS-Man a reboot job scheduled with the update JIDs), as the job's `reboot` says.
 * Written on the server's record before the call; after a crash, a JID already running or done shows the
 * reboot went through and it is not asked again.
 */
import type { FirmwarePhase } from '../../domain/firmware';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { IdracError } from '../../ports/idrac';
import { endpointAccess } from './endpoint-access';
import { changeTarget, entriesOf, failServer, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

const PAST_REBOOT: ReadonlySet<FirmwarePhase> = new Set(['applying', 'verifying', 'updated', 'done']);

export async function rebootServer(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  const { target, params } = s;
  const { deps, job } = ctx;
  if (target.phase === 'failed') return { target_id: targetId, state: 'failed' };
  if (PAST_REBOOT.has(target.phase)) return { target_id: targetId, state: 'rebooted' };
  const entries = await entriesOf(s);
  // `immediate`: the iDRAC applies each update by itself (and restarts the server when one needs it).
  const applied = entries.some((e) => e.state === 'running' || e.state === 'completed');
  if (params.apply_mode === 'immediate' || !entries.length || (target.phase === 'rebooting' && applied)) {
    await changeTarget(deps, target, () => ({ phase: 'applying' }));
    return { target_id: targetId, state: 'rebooted' };
  }
  const jids = entries.filter((e) => e.state === 'scheduled' && e.jid).map((e) => e.jid!);
  const at = isoNow(deps.clock);
  await changeTarget(deps, target, () => ({ phase: 'rebooting', reboot_requested_at: at }));
  const access = await endpointAccess(deps, target.endpoint_id, `firmware update reboot (job ${job.id})`);
  try {
    await s.mayAct();
    const started = await deps.idrac.rebootToApply(access.target, access.credential, params.reboot, jids);
    await recordServerStep(deps, job, {
      name: 'Reboot server',
      target_id: targetId,
      status: 'succeeded',
      started_at: at,
      ...(started.job_id ? { jid: started.job_id } : {}),
      result: { endpoint_id: target.endpoint_id, mode: params.reboot, method: started.method, outcome: started.outcome, applies: jids },
    });
  } catch (e) {
    if (!(e instanceof IdracError)) throw e;
    const error = `the iDRAC refused to reboot the server (${params.reboot}): ${e.message}`;
    await recordServerStep(deps, job, { name: 'Reboot server', target_id: targetId, status: 'failed', started_at: at, error, result: {} });
    return failServer(s, error);
  }
  await changeTarget(deps, target, () => ({ phase: 'applying' }));
  return { target_id: targetId, state: 'rebooted' };
}
