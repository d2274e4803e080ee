/**
 * "Stage updates": each image the server gets becomes one iDRAC job (SimpleUpdate, applied on the next reset
 * unless `apply_mode: immediate`). The ledger entry is written before the request and gets the JID after it,
 * so nothing EIO creates is ever unknown to it; a resumed step skips what it already staged.
 */
import { LockedError } from '../../domain/errors';
import { type FirmwarePhase, idracJobEntryId, installedVersion } from '../../domain/firmware';
import type { IdracFirmwareItem } from '../../domain/idrac';
import type { StepContext } from '../../jobs/job-type';
import { logger } from '../../observability/logger';
import { idracJobs } from '../../records/idrac-jobs';
import { JobNotActiveError } from '../jobs/step-context';
import { type EndpointAccess, endpointAccess } from './endpoint-access';
import { changeEntry, requestEntry } from './idrac-ledger';
import { changeTarget, failServer, type ServerCtx, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

const PAST_STAGING: ReadonlySet<FirmwarePhase> = new Set(['staged', 'rebooting', 'applying', 'verifying', 'updated', 'done']);

/** The versions installed before the update, for the ledger and the verification; none when the inventory cannot say. */
async function installedNow(s: ServerCtx, access: EndpointAccess): Promise<IdracFirmwareItem[]> {
  try {
    return (await s.ctx.deps.idrac.inventory(access.target, access.credential)).firmware;
  } catch (e) {
    if (e instanceof LockedError) throw e;
    logger.warn('Firmware inventory before the update failed', { endpoint_id: access.endpoint.id, error: e as Error });
    return [];
  }
}

export async function stageUpdates(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  const { target, params } = s;
  const { deps, job } = ctx;
  if (target.phase === 'failed' || target.phase === 'skipped') return { target_id: targetId, state: 'failed' };
  if (PAST_STAGING.has(target.phase)) return { target_id: targetId, state: 'staged' };
  await s.mayAct();
  await changeTarget(deps, target, () => ({ phase: 'staging' }));
  const access = await endpointAccess(deps, target.endpoint_id, `firmware update (job ${job.id})`);
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
