/**
 * Undoing what a host_maintenance job left when it ended without succeeding (cancel, abort, kill switch, pause
 * timeout, failure): running vSphere tasks are cancelled where vSphere allows it; then, unless the kill switch
 * is on (no new vSphere task is started then), each host EIO put into maintenance leaves it and the VMs EIO
 * stopped are powered on again. Works from the hosts' ledgers; what it could not do is noted on the host.
 */
import type { Job } from '../../domain/job';
import { hostResult, type MaintenanceHost } from '../../domain/maintenance';
import type { CompensationOutcome } from '../../jobs/job-type';
import { mapBounded } from '../../lib/async';
import { logger } from '../../observability/logger';
import { VSphereError, VSphereTaskError } from '../../ports/vcenter';
import { putStep } from '../../records/jobs';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import { readSwitch } from '../../records/switches';
import { assertKillSwitchOff, type EngineDeps } from '../jobs/common';
import { STEP_BUDGET_MS } from './host-context';
import { changeLedger } from './ledger';
import { recordRestore, restoreSpecs } from './restore';
import { instanceClient } from './scope';
import { allRunningTaskSteps, runTaskSteps, type TaskEnv } from './task-steps';

/** Hosts undone at once. */
const HOSTS_AT_ONCE = 4;
/** After this many attempts what still fails is left to the operator, as the hosts' notes say. */
const MAX_ATTEMPTS = 5;

/** Cancels the job's running tasks and records how each ended; answers the ids of those still running. */
async function cancelRunningTasks(deps: EngineDeps, job: Job, ledgers: MaintenanceHost[]): Promise<string[]> {
  const byTarget = new Map(ledgers.map((l) => [l.target_id, l]));
  const stillRunning: string[] = [];
  for (const step of await allRunningTaskSteps(deps, job.id)) {
    const ledger = step.target_id ? byTarget.get(step.target_id) : undefined;
    if (!ledger) continue;
    const vc = await instanceClient(deps, ledger.instance_id);
    try {
      await vc.cancelTask(step.external_task_id!);
    } catch (e) {
      // Already ended, or not cancellable (NotSupported): its end is recorded below either way.
      if (!(e instanceof VSphereError)) throw e;
    }
    const [end] = await vc.waitForTasks([step.external_task_id!], { timeoutMs: 30_000 });
    // Not ended within the wait (not cancellable, or the session went): it still runs, and its step says so.
    if (!end || (!end.ok && !(end.error instanceof VSphereTaskError))) {
      stillRunning.push(step.external_task_id!);
      continue;
    }
    const at = deps.clock.now();
    await putStep(deps.store, {
      ...step,
      status: end.ok ? 'succeeded' : 'cancelled',
      error: end.ok ? undefined : `cancelled with the job: ${end.error.message}`,
      finished_at: new Date(at).toISOString(),
      duration_ms: at - Date.parse(step.started_at),
    });
  }
  return stillRunning;
}

async function undoHost(deps: EngineDeps, job: Job, ledger: MaintenanceHost): Promise<boolean> {
  const vc = await instanceClient(deps, ledger.instance_id);
  const env: TaskEnv = {
    deps,
    job,
    vc,
    targetId: ledger.target_id,
    deadline: deps.clock.now() + STEP_BUDGET_MS,
    mayAct: () => assertKillSwitchOff(deps),
  };
  let current = ledger;
  if (current.entered_maintenance) {
    const host = (await vc.readHostsWithVms([current.moref])).find((o) => o.kind === 'host');
    // Not in maintenance (its EnterMaintenanceMode was cancelled or failed): nothing to exit, and nothing to note.
    const inMaintenance = host?.data.in_maintenance_mode === true;
    if (inMaintenance) {
      const { outcomes, unfinished } = await runTaskSteps(
        env,
        [
          {
            name: 'Exit maintenance mode',
            subject: current.moref,
            subject_name: current.name,
            start: () => vc.exitMaintenanceMode(current.moref),
          },
        ],
        1,
      );
      if (unfinished) return false;
      const failed = outcomes.find((o) => !o.ok);
      if (failed) {
        await changeLedger(deps, current, (l) => ({ notes: [...l.notes, `could not leave maintenance mode: ${failed.fault?.message}`] }));
        return false;
      }
    }
    current = await changeLedger(deps, current, (l) => ({
      entered_maintenance: false,
      notes: inMaintenance ? [...l.notes, 'left maintenance mode when the job ended (compensation)'] : l.notes,
    }));
  }
  const { outcomes, unfinished } = await runTaskSteps(env, restoreSpecs(env, current, { restore_vms: true, return_vms: false }), 4);
  await recordRestore(env, current, outcomes);
  return !unfinished;
}

export async function compensateMaintenance(deps: EngineDeps, job: Job): Promise<CompensationOutcome> {
  const ledgers = await maintenanceHosts.ofJob(deps.store, job.id);
  const running = await cancelRunningTasks(deps, job, ledgers);
  const runningNote = running.length ? `; vSphere tasks still running: ${running.join(', ')}` : '';
  const result = async () => ({ hosts: (await maintenanceHosts.ofJob(deps.store, job.id)).map(hostResult) });
  const ks = await readSwitch(deps.store, 'kill-switch');
  if (ks.on) {
    const inMaintenance = ledgers.filter((l) => l.entered_maintenance).map((l) => l.target_id);
    const detail =
      'the kill switch is active: running vSphere tasks were cancelled and no new one is started' +
      (inMaintenance.length ? `; left in maintenance mode until it is deactivated: ${inMaintenance.join(', ')}` : '') +
      runningNote;
    return { state: 'blocked', detail, result: await result() };
  }
  const todo = ledgers.filter((l) => l.entered_maintenance || l.stopped.some((s) => !s.restored));
  const finished = await mapBounded(todo, HOSTS_AT_ONCE, (l) =>
    undoHost(deps, job, l).catch((e: unknown) => {
      logger.warn('Host not undone', { job_id: job.id, target_id: l.target_id, error: e as Error });
      return false;
    }),
  );
  const after = await maintenanceHosts.ofJob(deps.store, job.id);
  const stillIn = after.filter((l) => l.entered_maintenance).map((l) => l.target_id);
  // The locks go with `done`: not while a task of the job may still move a VM on these hosts.
  if (finished.every(Boolean) && !stillIn.length && !running.length) return { state: 'done', result: await result() };
  if ((job.compensation?.attempts ?? 0) + 1 >= MAX_ATTEMPTS)
    return { state: 'done', detail: `gave up after ${MAX_ATTEMPTS} attempts: see the hosts' notes`, result: await result() };
  return { state: 'blocked', detail: `not undone yet: ${stillIn.join(', ') || 'VMs to power on'}${runningNote}`, result: await result() };
}
