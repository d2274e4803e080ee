/** What an operator's resume does to one host (shut down or suspend VMs, skip the host), and a host's failure recorded. */
import type { HostMaintenanceParams, StoppedVm } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { sleepOn } from '../../ports/clock';
import { VSphereFault } from '../../ports/vcenter';
import { type HostStepResult, hostCtx, planNow } from './host-context';
import { changeLedger, ledgerOf } from './ledger';
import { recordStep, runTaskSteps } from './task-steps';

const SHUTDOWN_POLL_MS = 2_000;

/** "Shut down VMs" / "Suspend VMs": the operator's resume; guest shutdown falls back to power-off past its timeout. */
export async function stopVms(
  ctx: StepContext,
  targetId: string,
  params: HostMaintenanceParams,
  mode: 'shutdown' | 'suspend',
  vmIds: string[],
): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  const { vmsOnHost } = await planNow(h);
  const targets = vmsOnHost.filter((v) => vmIds.includes(v.id) && v.power === 'poweredOn');
  const note = (vms: typeof targets, how: StoppedVm['how']) =>
    changeLedger(env.deps, ledger, (l) => ({
      stopped: [
        ...l.stopped.filter((s) => !vms.some((v) => v.id === s.vm_id)),
        ...vms.map((v) => ({ vm_id: v.id, name: v.name, how, was: 'poweredOn' as const })),
      ],
    }));
  if (mode === 'suspend') {
    await note(targets, 'suspend');
    const { unfinished } = await runTaskSteps(
      env,
      targets.map((v) => ({ name: 'Suspend VM', subject: v.id, subject_name: v.name, start: () => env.vc.suspendVm(v.id) })),
      params.migrations_per_host,
    );
    return { target_id: targetId, state: unfinished ? 'working' : 'stopped' };
  }
  await note(targets, 'shutdown');
  const forced: typeof targets = [];
  for (const v of targets) {
    await env.mayAct();
    try {
      await env.vc.shutdownGuest(v.id);
      await recordStep(env, 'Shut down VM', { subject: v.id, subject_name: v.name, how: 'guest shutdown' });
    } catch (e) {
      // No VMware Tools in the guest (or it refused): a hard power-off is what is left.
      if (!(e instanceof VSphereFault)) throw e;
      forced.push(v);
    }
  }
  const until = Math.min(env.deadline, env.deps.clock.now() + params.shutdown_timeout_seconds * 1000);
  let running = targets.filter((v) => !forced.includes(v));
  while (running.length && env.deps.clock.now() < until) {
    await sleepOn(env.deps.clock, SHUTDOWN_POLL_MS);
    const now = (await planNow(h)).vmsOnHost;
    running = running.filter((v) => now.some((n) => n.id === v.id && n.power === 'poweredOn'));
  }
  const powerOff = [...forced, ...running];
  if (powerOff.length) {
    await note(powerOff, 'power_off');
    const { unfinished } = await runTaskSteps(
      env,
      powerOff.map((v) => ({ name: 'Power off VM', subject: v.id, subject_name: v.name, start: () => env.vc.powerOffVm(v.id) })),
      params.migrations_per_host,
    );
    if (unfinished) return { target_id: targetId, state: 'working' };
  }
  return { target_id: targetId, state: 'stopped' };
}

/** "Skip host": the operator leaves this host out of the rolling maintenance. */
export async function skipHost(ctx: StepContext, targetId: string, actor: string): Promise<HostStepResult> {
  const ledger = await ledgerOf(ctx.deps, ctx.job, targetId);
  await changeLedger(ctx.deps, ledger, (l) => ({
    phase: 'skipped',
    notes: [...l.notes, `skipped by ${actor}; blocking VMs were: ${l.blocked.map((b) => b.name).join(', ') || 'none'}`],
  }));
  return { target_id: targetId, state: 'skipped' };
}

/** "Record host failure": the host's error goes on its ledger; the job goes on with the others. */
export async function hostFailed(
  ctx: StepContext,
  targetId: string,
  error: { Error?: string; Cause?: string },
): Promise<{ target_id: string; ok: false }> {
  const ledger = await ledgerOf(ctx.deps, ctx.job, targetId);
  let cause = error.Cause ?? '';
  try {
    cause = (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    // not JSON: keep it as it is
  }
  await changeLedger(ctx.deps, ledger, (l) => ({
    phase: l.phase === 'done' || l.phase === 'skipped' ? l.phase : 'failed',
    error: l.error ?? `${error.Error ?? 'Error'}: ${cause || 'no details'}`,
  }));
  return { target_id: targetId, ok: false };
}
