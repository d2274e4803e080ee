/**
 * The health_check job type: probes the reachability of each target, one step per target. An iDRAC endpoint or
 * a vCenter instance is probed on its own; a site stays one target whose step probes everything under it.
 */

import { z } from 'zod';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { NotFoundError } from '../domain/errors';
import { mapBounded } from '../lib/async';
import { dellEndpoints, endpointsOfSite } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { instancesOfSite } from '../records/vcenter';
import { probeAndRecord } from '../usecases/dell-endpoints';
import type { Deps } from '../usecases/deps';
import { probeVcenter } from '../usecases/vcenter-health';
import { type JobType, stepAction, type TargetKind } from './job-type';
import { existingTargets, targetKindOf } from './targets';

export type ProbeOutcome = { ok: boolean; result: Record<string, unknown> };

/** What the reachability probes use: the store, the clock and the device ports. */
export type ProbeDeps = Pick<Deps, 'store' | 'clock' | 'idrac' | 'vcenter'>;
const PROBES_PER_SITE = 8;

const describe = (ep: DellEndpoint) =>
  `${ep.id} (${ep.address}${ep.last_error ? `: ${ep.last_error.code} — ${ep.last_error.message}` : ''})`;

async function probeIdrac(deps: ProbeDeps, id: string): Promise<ProbeOutcome> {
  const ep = await dellEndpoints.find(deps.store, id);
  if (!ep) return { ok: false, result: { error: `iDRAC endpoint '${id}' no longer exists` } };
  const after = await probeAndRecord(deps, ep);
  const result = {
    address: after.address,
    status: after.status,
    protocols: after.protocols ?? {},
    generation: after.generation ?? 'unknown',
  };
  return after.status === 'reachable'
    ? { ok: true, result }
    : { ok: false, result: { ...result, error: `iDRAC ${describe(after)}`, last_error: after.last_error ?? null } };
}

/** What a site probe uses to reach a vCenter instance; tests hand in a fake. */
export type SiteProbes = { vcenter: (deps: ProbeDeps, id: string) => Promise<ProbeOutcome> };

/**
 * A site expands to everything registered under it: its iDRAC endpoints (probed through the iDRAC port,
 * results recorded on each) and its vCenter instances (RetrieveServiceContent, no login). The site is ok
 * only when all of them answer; the error names each one that did not, with its error.
 */
export async function probeSite(deps: ProbeDeps, id: string, probes: SiteProbes = { vcenter: probeVcenter }): Promise<ProbeOutcome> {
  const { store } = deps;
  const site = await sites.find(store, id);
  if (!site) return { ok: false, result: { error: `site '${id}' no longer exists` } };
  const [endpoints, instances] = await Promise.all([endpointsOfSite(store, id), instancesOfSite(store, id)]);
  const [probed, vcenters] = await Promise.all([
    // An endpoint deleted while the site is probed is no longer the site's: left out, not a failed step.
    mapBounded(endpoints, PROBES_PER_SITE, (ep) =>
      probeAndRecord(deps, ep).catch((e: unknown) => {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }),
    ),
    mapBounded(instances, PROBES_PER_SITE, async (i) => ({ instance: i, outcome: await probes.vcenter(deps, i.id) })),
  ]);
  const after = probed.filter((ep) => ep !== undefined);
  const down = after.filter((e) => e.status !== 'reachable').sort((a, b) => a.id.localeCompare(b.id));
  const vcDown = vcenters.filter((v) => !v.outcome.ok);
  const result: Record<string, unknown> = {
    endpoints_probed: after.length,
    reachable: after.length - down.length,
    unreachable: down.length,
    unreachable_endpoints: down.map((e) => ({ id: e.id, address: e.address, error: e.last_error ?? null })),
    vcenter_instances_probed: vcenters.length,
    vcenter_reachable: vcenters.length - vcDown.length,
    vcenter_unreachable: vcDown.length,
    unreachable_vcenter_instances: vcDown.map((v) => ({
      id: v.instance.id,
      url: v.instance.url,
      error: String(v.outcome.result.error ?? 'no answer'),
    })),
  };
  if (!after.length && !vcenters.length)
    return {
      ok: true,
      result: { ...result, message: `site '${id}' has no iDRAC endpoints or vCenter instances registered; nothing to probe` },
    };
  const problems: string[] = [];
  if (down.length)
    problems.push(`${down.length} of ${after.length} iDRAC endpoint(s) of site '${id}' unreachable: ${down.map(describe).join('; ')}`);
  if (vcDown.length)
    problems.push(
      `${vcDown.length} of ${vcenters.length} vCenter instance(s) of site '${id}' unreachable: ` +
        vcDown.map((v) => `${v.instance.id} (${v.instance.url}: ${String(v.outcome.result.error ?? 'no answer')})`).join('; '),
    );
  return problems.length ? { ok: false, result: { ...result, error: problems.join('; ') } } : { ok: true, result };
}

/** Reachability probes per target kind: an iDRAC and a vCenter instance on their own, a site with everything under it. */
export const REACHABILITY_PROBES: Partial<Record<TargetKind, (deps: ProbeDeps, id: string) => Promise<ProbeOutcome>>> = {
  idrac: probeIdrac,
  vcenter: probeVcenter,
  site: (deps, id) => probeSite(deps, id),
};

export async function probeTarget(deps: ProbeDeps, targetId: string): Promise<ProbeOutcome> {
  const kind = targetKindOf(targetId);
  const probe = kind ? REACHABILITY_PROBES[kind] : undefined;
  if (!probe) return { ok: false, result: { error: `no reachability probe for '${targetId}'` } };
  return probe(deps, targetId);
}

export const healthCheckJob: JobType = {
  name: 'health_check',
  description: 'Probe the reachability of each target (a site means all of its endpoints) and record one step per target',
  params: z.strictObject({}).default({}),
  resolveTargets: existingTargets(['site', 'idrac', 'vcenter']),
  workflow: 'job-health-check',
  actions: {
    /** "Probe target": one step per target, recording the probe's result. */
    probe_target: stepAction(z.object({ target_id: z.string().min(1) }), (ctx, { target_id }) =>
      ctx.targetStep('Probe target', target_id, async () => {
        await ctx.assertKillSwitchOff();
        const outcome = await probeTarget(ctx.deps, target_id);
        return { ok: outcome.ok, error: outcome.ok ? undefined : String(outcome.result.error ?? 'unreachable'), record: outcome.result };
      }),
    ),
  },
  resumeActions: [],
  maxRuntimeMinutes: 30,
  resumableAfterCrash: true,
  retryFailedTargetsOnly: true,
};
