/** "Enter maintenance mode" and "Exit maintenance mode" of one host, each recorded in its ledger before the call. */
import type { HostMaintenanceParams } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { blockedOutcome, refusedVm } from './evacuate';
import { type HostStepResult, hostCtx, hostNow, planNow } from './host-context';
import { changeLedger } from './ledger';
import { runTaskSteps } from './task-steps';

/** "Enter maintenance mode": EnterMaintenanceMode_Task; under DRS, vCenter moves the VMs, and EIO checks it did. */
export async function enterMaintenance(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  if (ledger.phase === 'in_maintenance' || ledger.phase === 'exiting_maintenance' || ledger.phase === 'restoring')
    return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
  // The check before acting is read with vCenter's answer; it refuses only if the host is to be put in maintenance.
  const [now, may] = await Promise.allSettled([hostNow(h), env.mayAct()]);
  if (now.status === 'rejected') throw now.reason;
  const before = now.value;
  if (before.inMaintenance && ledger.phase !== 'entering_maintenance') {
    // Already in maintenance (it was before the job): nothing to enter, and nothing for EIO to exit later.
    await changeLedger(env.deps, ledger, () => ({ phase: 'in_maintenance' }));
    return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
  }
  if (may.status === 'rejected') throw may.reason;
  // Recorded before the call: from here on, a cancel or a crash makes sure the host leaves maintenance again.
  await changeLedger(env.deps, ledger, () => ({ phase: 'entering_maintenance', entered_maintenance: true }));
  // Evacuated, the host has no task still running (an evacuation that leaves one is 'working', and runs again):
  // only a host already entering may have its earlier call still running, so only then are its steps read.
  const running = ledger.phase === 'evacuating' ? [] : undefined;
  const { outcomes, unfinished } = await runTaskSteps(
    env,
    [
      {
        name: 'Enter maintenance mode',
        subject: ledger.moref,
        subject_name: ledger.name,
        start: () =>
          env.vc.enterMaintenanceMode(ledger.moref, {
            timeoutSeconds: params.maintenance_timeout_minutes * 60,
            evacuatePoweredOffVms: params.powered_off_vms === 'move',
          }),
      },
    ],
    1,
    running,
  );
  if (unfinished) return { target_id: targetId, state: 'working' };
  const outcome = outcomes[0];
  const after = await hostNow(h);
  if (outcome && !outcome.ok && !after.inMaintenance) {
    await changeLedger(env.deps, ledger, () => ({ phase: 'evacuating', entered_maintenance: false }));
    const { plan } = await planNow(h);
    const blocked = plan.blocked.length
      ? plan.blocked
      : after.vmsOnHost
          .filter((v) => v.power === 'poweredOn')
          .map((v) =>
            refusedVm(
              { vm_id: v.id, name: v.name, power_state: 'poweredOn' },
              ledger.moref,
              `${outcome.fault?.fault_type}: ${outcome.fault?.message}`,
            ),
          );
    if (blocked.length) return blockedOutcome(ctx, h, blocked);
    throw new Error(`EnterMaintenanceMode on ${ledger.name} failed: ${outcome.fault?.fault_type}: ${outcome.fault?.message}`);
  }
  // DRS evacuated it: verified from vCenter, not taken on trust.
  const stillOn = after.vmsOnHost.filter((v) => v.power === 'poweredOn');
  if (stillOn.length)
    throw new Error(`${ledger.name} is in maintenance mode with powered-on VMs: ${stillOn.map((v) => v.name).join(', ')}`);
  const gone = before.vmsOnHost.filter((v) => !after.vmsOnHost.some((a) => a.id === v.id));
  await changeLedger(env.deps, ledger, (l) => ({
    phase: 'in_maintenance',
    maintenance_entered_at: l.maintenance_entered_at ?? isoNow(env.deps.clock),
    blocked: [],
    moved: [
      ...l.moved,
      ...gone.filter((v) => !l.moved.some((m) => m.vm_id === v.id)).map((v) => ({ vm_id: v.id, name: v.name, from: l.moref, to: 'drs' })),
    ],
  }));
  return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
}

/** "Exit maintenance mode": only a host EIO put into maintenance. */
export async function exitMaintenance(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  if (!ledger.entered_maintenance) return { target_id: targetId, state: 'exited' };
  await env.mayAct();
  await changeLedger(env.deps, ledger, () => ({ phase: 'exiting_maintenance' }));
  // In maintenance mode (entered, its task ended), the host has no task running: only a host already exiting may.
  const running = ledger.phase === 'in_maintenance' ? [] : undefined;
  const { outcomes, unfinished } = await runTaskSteps(
    env,
    [
      {
        name: 'Exit maintenance mode',
        subject: ledger.moref,
        subject_name: ledger.name,
        start: () => env.vc.exitMaintenanceMode(ledger.moref),
      },
    ],
    1,
    running,
  );
  if (unfinished) return { target_id: targetId, state: 'working' };
  const failed = outcomes.find((o) => !o.ok);
  // A second exit after a crash (the first one went through unrecorded) fails on a host already out: that is done.
  if (failed && (await planNow(h)).inMaintenance)
    throw new Error(`ExitMaintenanceMode on ${ledger.name} failed: ${failed.fault?.fault_type}: ${failed.fault?.message}`);
  await changeLedger(env.deps, ledger, () => ({ phase: 'restoring', entered_maintenance: false }));
  return { target_id: targetId, state: 'exited' };
}
