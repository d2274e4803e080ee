/** "Restore VMs" (power on what EIO stopped, return what it moved) and "Probe host", the host's outcome. */
import type { HostMaintenanceParams, MaintenanceHost } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { type HostStepResult, hostCtx } from './host-context';
import { changeLedger } from './ledger';
import { recordStep, runTaskSteps, type TaskEnv } from './task-steps';

/** The tasks that bring back what EIO stopped (power on resumes a suspended VM) and return what it moved. */
export function restoreSpecs(env: TaskEnv, ledger: MaintenanceHost, params: Pick<HostMaintenanceParams, 'restore_vms' | 'return_vms'>) {
  const specs = [];
  if (params.restore_vms)
    for (const s of ledger.stopped.filter((x) => !x.restored))
      specs.push({
        name: 'Power on VM',
        subject: s.vm_id,
        subject_name: s.name,
        start: () => env.vc.powerOnVm(s.vm_id, { host: ledger.moref }),
      });
  if (params.return_vms)
    for (const m of ledger.moved.filter((x) => !x.returned))
      specs.push({
        name: 'Return VM',
        subject: m.vm_id,
        subject_name: m.name,
        start: () => env.vc.relocateVm(m.vm_id, { host: ledger.moref }),
      });
  return specs;
}

/** Marks in the ledger what the restore tasks did, and notes what they could not do. */
export async function recordRestore(
  env: TaskEnv,
  ledger: MaintenanceHost,
  outcomes: { subject: string; ok: boolean; fault?: { message: string } }[],
) {
  const ok = new Set(outcomes.filter((o) => o.ok).map((o) => o.subject));
  const failures = outcomes.filter((o) => !o.ok).map((o) => `${o.subject}: ${o.fault?.message ?? 'failed'}`);
  return changeLedger(env.deps, ledger, (l) => ({
    stopped: l.stopped.map((s) => (ok.has(s.vm_id) ? { ...s, restored: true } : s)),
    moved: l.moved.map((m) => (ok.has(m.vm_id) && l.stopped.every((s) => s.vm_id !== m.vm_id) ? { ...m, returned: true } : m)),
    notes: failures.length ? [...l.notes, `could not restore or return: ${failures.join('; ')}`] : l.notes,
  }));
}

/** "Restore VMs": power on / resume what EIO stopped (restore_vms), move evacuated VMs back (return_vms). */
export async function restoreVms(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  await env.mayAct();
  const { outcomes, unfinished } = await runTaskSteps(env, restoreSpecs(env, ledger, params), params.migrations_per_host);
  // Nothing to restore or return: the ledger stays as it is, unwritten.
  const after = outcomes.length ? await recordRestore(env, ledger, outcomes) : ledger;
  if (unfinished) return { target_id: targetId, state: 'working' };
  const left = after.stopped.filter((s) => !s.restored);
  if (left.length && !params.restore_vms)
    await changeLedger(env.deps, ledger, (l) => ({
      notes: [...l.notes, `left stopped as asked (restore_vms: false): ${left.map((s) => s.name).join(', ')}`],
    }));
  return { target_id: targetId, state: 'restored' };
}

/** "Probe host": connected, and out of maintenance unless asked to stay; the host's outcome for "Finish job". */
export async function probeHost(
  ctx: StepContext,
  targetId: string,
  params: HostMaintenanceParams,
): Promise<{ target_id: string; ok: boolean }> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  const host = (await env.vc.readHostsWithVms([ledger.moref])).find((o) => o.kind === 'host');
  const connected = host?.data.connection_state === 'connected';
  const inMaintenance = host?.data.in_maintenance_mode === true;
  const shouldBeIn = ledger.phase !== 'skipped' && (!params.exit_maintenance || ledger.was_in_maintenance);
  const problems = [
    ...(connected ? [] : [`host ${ledger.name} is ${String(host?.data.connection_state ?? 'gone from vCenter')}`]),
    ...(inMaintenance === shouldBeIn ? [] : [`host ${ledger.name} is ${inMaintenance ? '' : 'not '}in maintenance mode`]),
  ];
  await recordStep(env, 'Probe host', { connected, in_maintenance: inMaintenance }, problems.join('; ') || undefined);
  const notes =
    !params.exit_maintenance && ledger.phase !== 'skipped' ? ['left in maintenance mode as asked (exit_maintenance: false)'] : [];
  await changeLedger(env.deps, ledger, (l) => ({
    phase: l.phase === 'skipped' ? 'skipped' : problems.length ? 'failed' : 'done',
    error: problems.length ? problems.join('; ') : l.error,
    notes: [...l.notes, ...notes],
  }));
  return { target_id: targetId, ok: problems.length === 0 };
}
