/**
 * "Wait for updates": polls the iDRAC for the server's JIDs until each has ended (Completed or Failed, each
 * recorded as an "Apply update" step whose `external_task_id` is the JID), then, for a vCenter host, until
 * vCenter shows the host connected again (an iDRAC alone: until its Lifecycle Controller is ready again).
 * Updates staged "on reset" complete only during the reboot's POST, after vCenter lost the host, so "every
 * JID ended, host connected" is the host back from its reboot. An iDRAC that does not answer meanwhile (it
 * may be updating itself) is asked again at the next poll, which comes sooner when a running job's progress
 * says it ends before the poll interval is over (shared/domain/firmware-poll.ts). A step works up to its
 * deadline and hands over; past `update_timeout_minutes` from the reboot the server fails.
 */
import { config } from '../../config';
import { type IdracJobEntry, OPEN_IDRAC_JOB_STATES } from '../../domain/firmware';
import { type JobProgress, nextPollDelay, withAnswer } from '../../domain/firmware-poll';
import type { MaintenanceHost } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { isoNow, sleepOn } from '../../ports/clock';
import { IdracError, type IdracJobStatus } from '../../ports/idrac';
import type { VCenterClient } from '../../ports/vcenter';
import { ledgerOf } from '../maintenance/ledger';
import { instanceClient } from '../maintenance/scope';
import { type EndpointAccess, endpointAccess } from './endpoint-access';
import { changeEntry, LEDGER_STATE } from './idrac-ledger';
import { changeTarget, entriesOf, failServer, type ServerCtx, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

const isOpen = (e: IdracJobEntry) => OPEN_IDRAC_JOB_STATES.includes(e.state);

/**
 * Asks the iDRAC about each open JID, one after the other; records what ended and keeps the running ones'
 * progress (by JID). Answers the entries as they are now.
 */
async function pollJobs(
  s: ServerCtx,
  access: EndpointAccess,
  entries: IdracJobEntry[],
  progress: Map<string, JobProgress>,
): Promise<IdracJobEntry[]> {
  const now: IdracJobEntry[] = [];
  for (const entry of entries) now.push(isOpen(entry) && entry.jid ? await pollJob(s, access, entry, progress) : entry);
  return now;
}

async function pollJob(s: ServerCtx, access: EndpointAccess, entry: IdracJobEntry, progress: Map<string, JobProgress>) {
  const { deps, job } = s.ctx;
  const jid = entry.jid!;
  let status: IdracJobStatus;
  try {
    status = await deps.idrac.jobStatus(access.target, access.credential, jid);
    const known = withAnswer(progress.get(jid), deps.clock.now(), status.state === 'running', status.percent_complete);
    if (known) progress.set(jid, known);
    else progress.delete(jid);
  } catch (e) {
    if (!(e instanceof IdracError)) throw e;
    if (e.code === 'not_found')
      return changeEntry(deps, entry.id, () => ({ state: 'deleted', message: 'the iDRAC no longer knows this job: deleted outside EIO' }));
    return entry; // rebooting, or updating itself: asked again at the next poll
  }
  const state = LEDGER_STATE[status.state];
  if (!state || state === entry.state) return entry;
  const changed = await changeEntry(deps, entry.id, () => ({ state, idrac_state: status.raw_state, message: status.message }));
  if (isOpen(changed)) return changed;
  await recordServerStep(deps, job, {
    name: 'Apply update',
    target_id: s.target.target_id,
    status: state === 'completed' ? 'succeeded' : state === 'failed' ? 'failed' : 'cancelled',
    jid: entry.jid,
    started_at: s.target.reboot_requested_at ?? entry.updated_at,
    ...(state === 'completed' ? {} : { error: `${status.raw_state}: ${status.message}` }),
    result: {
      endpoint_id: entry.endpoint_id,
      component: entry.component ?? null,
      image_uri: entry.image_uri,
      idrac_state: status.raw_state,
    },
  });
  return changed;
}

/**
 * A vCenter host is back when vCenter shows it connected; an iDRAC-only server when its Lifecycle Controller
 * is ready again (the server is out of POST and the iDRAC takes jobs).
 */
async function serverBack(
  s: ServerCtx,
  access: EndpointAccess,
  host: () => Promise<VCenterHost>,
): Promise<{ back: boolean; state: string }> {
  if (s.target.kind === 'idrac') {
    try {
      const lc = await s.ctx.deps.idrac.lifecycleControllerStatus(access.target, access.credential);
      return { back: lc.ready, state: `Lifecycle Controller: ${lc.message}` };
    } catch (e) {
      if (!(e instanceof IdracError)) throw e;
      return { back: false, state: `the iDRAC does not answer: ${e.message}` };
    }
  }
  const { ledger, vc } = await host();
  const found = (await vc.readHostsWithVms([ledger.moref])).find((o) => o.kind === 'host');
  const state = String(found?.data.connection_state ?? 'gone from vCenter');
  return { back: state === 'connected', state: `host ${ledger.name} is ${state}` };
}

type VCenterHost = { ledger: MaintenanceHost; vc: VCenterClient };

/** The host's ledger and its instance's client, read once per step however many polls ask vCenter. */
function vcenterHost(s: ServerCtx): () => Promise<VCenterHost> {
  let found: Promise<VCenterHost> | undefined;
  return () =>
    (found ??= ledgerOf(s.ctx.deps, s.ctx.job, s.target.target_id).then(async (ledger) => ({
      ledger,
      vc: await instanceClient(s.ctx.deps, ledger.instance_id),
    })));
}

export async function awaitUpdates(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  const { deps, job } = ctx;
  const { target, params } = s;
  if (target.phase === 'failed') return { target_id: targetId, state: 'failed' };
  if (target.phase === 'verifying' || target.phase === 'updated' || target.phase === 'done')
    return { target_id: targetId, state: 'applied' };
  const access = await endpointAccess(deps, target.endpoint_id, `firmware update status (job ${job.id})`);
  const timeoutAt = Date.parse(target.reboot_requested_at ?? target.updated_at) + params.update_timeout_minutes * 60_000;
  const pollMs = config().firmwarePollMs;
  const host = vcenterHost(s);
  // Read while the jobs run, so the first look at vCenter after they end waits for no store read.
  if (target.kind !== 'idrac') host().catch(() => undefined); // its failure is the step's when it is asked for
  const progress = new Map<string, JobProgress>();
  for (;;) {
    const open = (await pollJobs(s, access, await entriesOf(s), progress)).filter(isOpen);
    const back = open.length ? undefined : await serverBack(s, access, host);
    if (back?.back) {
      await changeTarget(deps, target, () => ({ phase: 'verifying' }));
      return { target_id: targetId, state: 'applied' };
    }
    const now = deps.clock.now();
    if (now >= timeoutAt) {
      const waiting = open.length ? `iDRAC jobs not ended: ${open.map((e) => e.jid ?? e.image_uri).join(', ')}` : back!.state;
      return failServer(
        s,
        `not back within update_timeout_minutes (${params.update_timeout_minutes}) at ${isoNow(deps.clock)}: ${waiting}`,
      );
    }
    if (now + pollMs >= s.deadline) return { target_id: targetId, state: 'working' };
    await sleepOn(deps.clock, nextPollDelay(pollMs, now, progress.values()));
  }
}
