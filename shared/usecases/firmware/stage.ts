/**
 * "Stage updates": each image the server gets becomes one iDRAC job (SimpleUpdate, applied on the next reset
 * unless `apply_mode: immediate`). The ledger entry is written before the request and gets the JID after it,
 * so nothing EIO creates is ever unknown to it; a resumed step skips what it already staged. An entry left
 * `requested` by an execution that died before recording the answer is asked for again only when the iDRAC's
 * queue holds no firmware job the ledger does not know (else the server fails naming them: never twice).
 */
import { LockedError } from '../../domain/errors';
import { type FirmwarePhase, idracJobEntryId, installedVersion } from '../../domain/firmware';
import type { IdracFirmwareItem } from '../../domain/idrac';
import type { StepContext } from '../../jobs/job-type';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { idracJobs } from '../../records/idrac-jobs';
import { eachItem } from '../../records/paging';
import { JobNotActiveError } from '../jobs/step-context';
import { type EndpointAccess, endpointAccess } from './endpoint-access';
import { changeEntry, requestEntry } from './idrac-ledger';
import { changeTarget, failServer, type ServerCtx, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

const PAST_STAGING: ReadonlySet<FirmwarePhase> = new Set(['staged', 'rebooting', 'applying', 'verifying', 'updated', 'done']);

/** The versions installed before the update, for the ledger and the verification; none when the inventory cannot say. */
async function installedNow(s: ServerCtx, access: EndpointAccess): Promise<IdracFirmwareItem[]> {
  try {
    return await s.ctx.deps.idrac.firmwareInventory(access.target, access.credential);
  } catch (e) {
    if (e instanceof LockedError) throw e;
    logger.warn('Firmware inventory before the update failed', { endpoint_id: access.endpoint.id, error: e as Error });
    return [];
  }
}

/** Firmware jobs in the iDRAC's queue that no ledger entry names: another tool's, or one whose answer EIO lost. */
async function jobsNotInLedger(s: ServerCtx, access: EndpointAccess): Promise<string[]> {
  const known = new Set<string>();
  for await (const e of eachItem((cursor) => idracJobs.ofEndpoint(s.ctx.deps.store, access.endpoint.id, { limit: 100, cursor })))
    if (e.jid) known.add(e.jid);
  const queue = await s.ctx.deps.idrac.listJobs(access.target, access.credential);
  return queue
    .filter((j) => (j.job_type === 'FirmwareUpdate' || /firmware/i.test(j.name ?? '')) && j.state !== 'failed' && !known.has(j.job_id))
    .map((j) => j.job_id);
}

export async function stageUpdates(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  const { target, params } = s;
  const { deps, job } = ctx;
  if (target.phase === 'failed' || target.phase === 'skipped') return { target_id: targetId, state: 'failed' };
  if (PAST_STAGING.has(target.phase)) return { target_id: targetId, state: 'staged' };
  await s.mayAct();
  const startedAt = isoNow(deps.clock);
  const [, access] = await Promise.all([
    changeTarget(deps, target, () => ({ phase: 'staging' })),
    endpointAccess(deps, target.endpoint_id, `firmware update (job ${job.id})`),
  ]);
  const before = await installedNow(s, access);
  const applyTime = params.apply_mode === 'immediate' ? 'Immediate' : 'OnReset';
  for (const [i, image] of target.images.entries()) {
    const entry = await requestEntry(deps, {
      id: idracJobEntryId(target.endpoint_id, job.id, i),
      endpoint_id: target.endpoint_id,
      job_id: job.id,
      target_id: targetId,
      image_uri: image.uri,
      ...(image.component ? { component: image.component } : {}),
      ...(installedVersion(before, image.component) ? { version_before: installedVersion(before, image.component) } : {}),
    });
    if (entry.state !== 'requested') continue;
    if (entry.created_at < startedAt) {
      // Asked for by an execution that died before it recorded the answer: the iDRAC's queue says whether it exists.
      const unknown = await jobsNotInLedger(s, access);
      if (unknown.length) {
        const why =
          'EIO stopped between asking for this update and recording its JID; ' + `firmware jobs EIO does not know: ${unknown.join(', ')}`;
        await changeEntry(deps, entry.id, () => ({ state: 'left_staged', message: why }));
        return failServer(s, `${image.component ?? image.uri} on ${target.endpoint_id}: ${why}; not asked for again (check them)`);
      }
    }
    const started = deps.clock.now();
    let jid: string;
    let method: string;
    try {
      await s.mayAct();
      const update = await deps.idrac.startFirmwareUpdate(access.target, access.credential, image.uri, { applyTime });
      jid = update.job_id;
      method = update.method;
    } catch (e) {
      // The kill switch (or the job's end) stopped the request before it left: no iDRAC job exists for the entry.
      if (e instanceof LockedError || e instanceof JobNotActiveError) {
        await idracJobs.remove(deps.store, await idracJobs.get(deps.store, entry.id));
        throw e;
      }
      const message = (e as Error).message;
      await changeEntry(deps, entry.id, () => ({ state: 'failed', message }));
      await recordServerStep(deps, job, {
        name: 'Stage update',
        target_id: targetId,
        status: 'failed',
        started_at: new Date(started).toISOString(),
        error: message,
        result: { endpoint_id: target.endpoint_id, component: image.component ?? null, image_uri: image.uri },
      });
      return failServer(s, `staging ${image.component ?? image.uri} on ${target.endpoint_id} failed: ${message}`);
    }
    await changeEntry(deps, entry.id, () => ({ jid, state: 'scheduled' }));
    await recordServerStep(deps, job, {
      name: 'Stage update',
      target_id: targetId,
      status: 'succeeded',
      jid,
      started_at: new Date(started).toISOString(),
      result: { endpoint_id: target.endpoint_id, component: image.component ?? null, image_uri: image.uri, apply_time: applyTime, method },
    });
  }
  await changeTarget(deps, target, () => ({ phase: 'staged' }));
  return { target_id: targetId, state: 'staged' };
}
