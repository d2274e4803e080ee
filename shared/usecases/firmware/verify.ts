/**
 * "Verify versions": after the server came back, the endpoint is refreshed and its inventory says what is
 * installed now (so its record and its compliance show it too). Each update's JID must have completed, and
 * where the image names its component and version, that version must be the installed one; what the
 * inventory shows goes on the ledger entry (`version_after`).
 */
import { installedVersion } from '../../domain/firmware';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { refreshDellEndpoint } from '../dell-endpoints';
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
  // A refresh, not a bare inventory read: the endpoint's record (and its compliance) shows the new versions too.
  const checkedAt = isoNow(deps.clock);
  const endpoint = await refreshDellEndpoint(deps, target.endpoint_id, `firmware verification (job ${job.id})`);
  if (!endpoint.inventory_at || endpoint.inventory_at < checkedAt)
    return {
      ...(await failServer(s, `no inventory from ${target.endpoint_id} to verify: ${endpoint.last_error?.message ?? 'none'}`)),
      ...exit,
    };
  const firmware = endpoint.firmware ?? [];
  const entries = await entriesOf(s);
  const problems: string[] = [];
  const installed: Record<string, string | null> = {};
  for (const entry of entries) {
    const image = target.images.find((i) => i.uri === entry.image_uri);
    const now = installedVersion(firmware, entry.component);
    if (entry.component) installed[entry.component] = now ?? null;
    if (now && now !== entry.version_after) await changeEntry(deps, entry.id, () => ({ version_after: now }));
    const what = `${entry.component ?? entry.image_uri} (${entry.jid ?? 'no JID'})`;
    if (entry.state !== 'completed') problems.push(`${what} ${entry.state}${entry.message ? `: ${entry.message}` : ''}`);
    else if (image?.version && entry.component && now !== image.version)
      problems.push(`${what}: the inventory shows ${now ?? 'no single version'}, the image installs ${image.version}`);
  }
  const error = problems.length ? `firmware not as expected on ${target.endpoint_id}: ${problems.join('; ')}` : undefined;
  await recordServerStep(deps, job, {
    name: 'Verify versions',
    target_id: targetId,
    status: error ? 'failed' : 'succeeded',
    ...(error ? { error } : {}),
    result: { endpoint_id: target.endpoint_id, installed },
  });
  if (error) return { ...(await failServer(s, error)), ...exit };
  await changeTarget(deps, target, () => ({ phase: 'updated' }));
  return { target_id: targetId, state: 'updated', ...exit };
}
