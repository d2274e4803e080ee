/**
 * The firmware_update job type: applies Dell update packages through each server's iDRAC. Targets are iDRAC
 * endpoints, hosts and clusters (`idrac-…`, `vc-001/host-21`, `vc-001/domain-c7`). A vCenter host is updated
 * inside host maintenance, reusing its steps (plan → evacuate → enter maintenance → stage updates → reboot →
 * wait until vCenter shows the host connected again → verify the installed versions → exit maintenance →
 * restore), a cluster rolling `max_hosts_in_maintenance` at a time; an iDRAC no vCenter host is linked to is
 * updated without the vCenter steps. Every iDRAC job EIO creates is in the ledger (records/idrac-jobs.ts); a
 * rollout guard pauses the rollout when the fleet's health or the job's failures cross what it allows.
 */
import { z } from 'zod';
import { FirmwareUpdateParams, firmwareTargetId, ROLLOUT_RESUME_ACTIONS } from '../domain/firmware';
import { MAINTENANCE_RESUME_ACTIONS } from '../domain/maintenance';
import { isoNow } from '../ports/clock';
import { firmwareTargets } from '../records/firmware-targets';
import { awaitUpdates } from '../usecases/firmware/await-updates';
import { holdBaseline, releaseBaseline } from '../usecases/firmware/baseline-hold';
import { compensateFirmware, firmwareResult } from '../usecases/firmware/compensate';
import { serverDone, serverFailed } from '../usecases/firmware/outcome';
import { type FirmwarePlan, type FirmwareServer, planFirmware } from '../usecases/firmware/plan';
import { rebootServer } from '../usecases/firmware/reboot';
import { routeFirmwareResume } from '../usecases/firmware/resume';
import { checkRollout, continueRollout, openRollout } from '../usecases/firmware/rollout-guard';
import { firmwareParamsOf } from '../usecases/firmware/server-context';
import { stageUpdates } from '../usecases/firmware/stage';
import { verifyVersions } from '../usecases/firmware/verify';
import { type PlanGroup, settlePlan } from '../usecases/maintenance/plan-step';
import { hostMaintenanceJob } from './host-maintenance';
import { type JobType, type StepContext, stepAction } from './job-type';
import { existingTargets } from './targets';

// Its own plan and failure record stand in for host maintenance's.
const { plan_maintenance: _p, check_plan: _c, host_failed: _f, ...maintenanceSteps } = hostMaintenanceJob.actions;
const Server = z.object({ target_id: z.string().min(1) });
const IDRAC_ONLY_GROUP = 'idrac-only';

const findingsText = (plan: FirmwarePlan) =>
  [...plan.findings.map((f) => `${f.code}: ${f.detail}`), ...(plan.maintenance?.findings ?? []).map((f) => `${f.code}: ${f.detail}`)].join(
    '; ',
  );

/** "Plan update" / "Check plan": the plan from live data; servers locked (hosts and iDRACs), records opened. */
/** The job's firmware target records, read in one batch; those of a first plan are written. In the servers' order. */
async function openTargets(ctx: StepContext, servers: FirmwareServer[]) {
  const ids = servers.map((s) => firmwareTargetId(ctx.job.id, s.target_id));
  const found = await firmwareTargets.findMany(ctx.deps.store, ids);
  return Promise.all(
    servers.map(
      (s, i) =>
        found.get(ids[i]!) ??
        firmwareTargets.create(ctx.deps.store, {
          id: ids[i]!,
          job_id: ctx.job.id,
          target_id: s.target_id,
          kind: s.kind,
          endpoint_id: s.endpoint_id,
          ...(s.cluster_id ? { cluster_id: s.cluster_id } : {}),
          images: s.images,
          phase: 'waiting',
          notes: [],
          updated_at: isoNow(ctx.deps.clock),
          version: 1,
        }),
    ),
  );
}

async function planStep(ctx: StepContext, stepName: string, approvedHash?: string) {
  return ctx.jobStep(stepName, async () => {
    const params = firmwareParamsOf(ctx);
    await ctx.assertKillSwitchOff();
    const { groupsOf, ...plan } = await planFirmware(ctx.deps, ctx.job.target_ids, params, { live: true });
    const item = (target_id: string, kind: 'host' | 'idrac') => ({ job_id: ctx.job.id, target_id, kind });
    const groups: PlanGroup[] = groupsOf.map((g) => ({
      key: g.key,
      max_hosts_in_maintenance: params.max_hosts_in_maintenance,
      hosts: g.hosts.map((h) => item(h.target_id, 'host')),
    }));
    const alone = plan.servers.filter((s) => s.kind === 'idrac');
    if (alone.length)
      groups.push({
        key: IDRAC_ONLY_GROUP,
        max_hosts_in_maintenance: params.max_hosts_in_maintenance,
        hosts: alone.map((s) => item(s.target_id, 'idrac')),
      });
    const hosts = groupsOf.flatMap((g) => g.hosts);
    return settlePlan(
      ctx,
      {
        hash: plan.hash,
        refusal: plan.refused ? `plan refused: ${findingsText(plan)}` : undefined,
        refusedResult: { plan_hash: plan.hash, findings: [...plan.findings, ...(plan.maintenance?.findings ?? [])] },
        record: plan,
        locks: [...new Set([...plan.servers.map((s) => s.target_id), ...plan.servers.map((s) => s.endpoint_id)])],
        hosts,
        in_maintenance: plan.maintenance?.in_maintenance ?? [],
        groups,
        async openOthers() {
          const [, , opened] = await Promise.all([
            holdBaseline(ctx.deps, ctx.job, params),
            openRollout(ctx.deps, ctx.job.id),
            openTargets(ctx, plan.servers),
          ]);
          return opened.some((t) => t.phase !== 'waiting');
        },
      },
      approvedHash,
    );
  });
}

export const firmwareUpdateJob: JobType = {
  name: 'firmware_update',
  description:
    'Apply Dell update packages through each server’s iDRAC: a vCenter host inside host maintenance (a cluster rolling, ' +
    'with an error budget), an iDRAC alone without vCenter steps; every iDRAC job EIO creates is in its ledger',
  params: FirmwareUpdateParams,
  resolveTargets: existingTargets(['idrac', 'host', 'cluster']),
  workflow: 'job-firmware-update',
  actions: {
    // The host maintenance steps, shared as they are (the same objects: one name, one action).
    ...maintenanceSteps,
    plan_firmware: stepAction(z.object({}), (ctx) => planStep(ctx, 'Plan update')),
    check_firmware_plan: stepAction(z.object({ plan_hash: z.string().min(1) }), (ctx, { plan_hash }) =>
      planStep(ctx, 'Check plan', plan_hash),
    ),
    check_rollout: stepAction(Server, (ctx, { target_id }) => checkRollout(ctx, target_id)),
    continue_rollout: stepAction(Server.extend({ resumed_by: z.string().default('an operator') }), (ctx, i) =>
      continueRollout(ctx, i.target_id, i.resumed_by),
    ),
    stage_updates: stepAction(Server, (ctx, { target_id }) => stageUpdates(ctx, target_id)),
    reboot_server: stepAction(Server, (ctx, { target_id }) => rebootServer(ctx, target_id)),
    await_updates: stepAction(Server, (ctx, { target_id }) => awaitUpdates(ctx, target_id)),
    verify_versions: stepAction(Server, (ctx, { target_id }) => verifyVersions(ctx, target_id)),
    server_done: stepAction(Server, (ctx, { target_id }) => serverDone(ctx, target_id)),
    server_failed: stepAction(
      Server.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}) }),
      (ctx, i) => serverFailed(ctx, i.target_id, i.error),
    ),
  },
  resumeActions: [...new Set([...MAINTENANCE_RESUME_ACTIONS, ...ROLLOUT_RESUME_ACTIONS])],
  routeResume: routeFirmwareResume,
  async plan(deps, targetIds, params) {
    const { groupsOf: _g, ...plan } = await planFirmware(deps, targetIds, FirmwareUpdateParams.parse(params), { live: false });
    return plan;
  },
  compensate: compensateFirmware,
  async result(deps, job) {
    await releaseBaseline(deps, job);
    return firmwareResult(deps, job);
  },
  maxRuntimeMinutes: 24 * 60,
  resumableAfterCrash: true,
  retryFailedTargetsOnly: false,
};
