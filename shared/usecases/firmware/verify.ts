/**
 * "Verify versions": after the server came back, the iDRAC's firmware inventory says what is installed now; it
 * goes on the endpoint's record, so its compliance shows it too (the rest of the endpoint's inventory waits for
 * its scheduled refresh: an update changes only firmware). Each update's JID must have completed, and
 * where the image names its component and version, that version must be the installed one; what the
 * inventory shows goes on the ledger entry (`version_after`).
 */
import { installedVersion } from '../../domain/firmware';
import type { IdracFirmwareItem } from '../../domain/idrac';
import type { StepContext } from '../../jobs/job-type';
import { IdracError } from '../../ports/idrac';
import { endpointAccess } from './endpoint-access';
import { recordInstalledFirmware } from './endpoint-firmware';
import { changeEntry } from './idrac-ledger';
import { changeTarget, entriesOf, failServer, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

export async function verifyVersions(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  const { deps, job } = ctx;
  const { target, params } = s;
  const exit = { exit_maintenance: params.exit_maintenance };
  if (target.phase === 'failed') return { target_id: targetId, state: 'failed', ...exit };
  if (target.phase === 'updated' || target.phase === 'done') return { target_id: targetId, state: 'updated', ...exit };
  // The ledger's entries are final once the jobs ended ("Wait for updates"): read while the iDRAC is asked.
  const entriesRead = entriesOf(s);
  entriesRead.catch(() => undefined); // awaited below unless the inventory fails first
  const access = await endpointAccess(deps, target.endpoint_id, `firmware verification (job ${job.id})`);
  let firmware: IdracFirmwareItem[];
  try {
    firmware = await deps.idrac.firmwareInventory(access.target, access.credential);
  } catch (e) {
    if (!(e instanceof IdracError)) throw e;
    return { ...(await failServer(s, `no inventory from ${target.endpoint_id} to verify: ${e.message}`)), ...exit };
  }
  const [, entries] = await Promise.all([recordInstalledFirmware(deps, target.endpoint_id, firmware), entriesRead]);
  const problems: string[] = [];
  const installed: Record<string, string | null> = {};
  const noted: Promise<unknown>[] = [];
  for (const entry of entries) {
    const image = target.images.find((i) => i.uri === entry.image_uri);
    const now = installedVersion(firmware, entry.component);
    if (entry.component) installed[entry.component] = now ?? null;
    if (now && now !== entry.version_after) noted.push(changeEntry(deps, entry.id, () => ({ version_after: now })));
    const what = `${entry.component ?? entry.image_uri} (${entry.jid ?? 'no JID'})`;
    if (entry.state !== 'completed') problems.push(`${what} ${entry.state}${entry.message ? `: ${entry.message}` : ''}`);
    else if (image?.version && entry.component && now !== image.version)
      problems.push(`${what}: the inventory shows ${now ?? 'no single version'}, the image installs ${image.version}`);
  }
  const error = problems.length ? `firmware not as expected on ${target.endpoint_id}: ${problems.join('; ')}` : undefined;
  // The entries' versions and the step are separate records: written at once.
  await Promise.all([
    ...noted,
    recordServerStep(deps, job, {
      name: 'Verify versions',
      target_id: targetId,
      status: error ? 'failed' : 'succeeded',
      ...(error ? { error } : {}),
      result: { endpoint_id: target.endpoint_id, installed },
    }),
  ]);
  if (error) return { ...(await failServer(s, error)), ...exit };
  await changeTarget(deps, target, () => ({ phase: 'updated' }));
  return { target_id: targetId, state: 'updated', ...exit };
}
