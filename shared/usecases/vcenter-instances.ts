import { type ErrorDetail, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { inventoryTargetId, type VCenterInstance, type VCenterInstanceCreate, type VCenterInstanceUpdate } from '../domain/vcenter';
import { isoNow } from '../ports/clock';
import type { Page, Store } from '../ports/store';
import { recordAudit } from '../records/audit';
import { pages } from '../records/paging';
import { references } from '../records/references';
import { serviceIdentities, serviceIdentityRef } from '../records/service-identities';
import { siteRef, sites } from '../records/sites';
import { deleteInventory, listInventoryPage, vcenterInstanceRef, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { unlinkHosts } from './host-idrac-links';
import { vcenterBreaker } from './upstreams';

type VcDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'vcenter'>;

async function checkReferences(store: Store, fields: { site_id?: string; service_identity_id?: string }): Promise<void> {
  const problems: ErrorDetail[] = [];
  if (fields.site_id !== undefined && !(await sites.exists(store, fields.site_id)))
    problems.push({ path: 'body.site_id', message: `site '${fields.site_id}' does not exist` });
  if (fields.service_identity_id !== undefined) {
    const si = await serviceIdentities.find(store, fields.service_identity_id);
    if (!si)
      problems.push({ path: 'body.service_identity_id', message: `service identity '${fields.service_identity_id}' does not exist` });
    else if (si.target_kind !== 'vcenter')
      problems.push({
        path: 'body.service_identity_id',
        message: `service identity '${si.id}' is for ${si.target_kind}, not vcenter`,
      });
  }
  if (problems.length) throw new ValidationError('Request is not valid', problems);
}

export async function createVcenterInstance(deps: VcDeps, input: VCenterInstanceCreate, actor: string): Promise<VCenterInstance> {
  await checkReferences(deps.store, input);
  const now = isoNow(deps.clock);
  const id = input.id ?? newId('vcenter_instance', deps.clock.now());
  const me = vcenterInstanceRef(id);
  // Edges first (see references.ts): a crash leaves a stale edge, never an unprotected reference.
  await references.add(deps.store, siteRef(input.site_id), me);
  await references.add(deps.store, serviceIdentityRef(input.service_identity_id), me);
  const instance = await vcenterInstances.create(deps.store, {
    id,
    name: input.name ?? new URL(input.url).hostname,
    description: input.description,
    url: input.url,
    site_id: input.site_id,
    service_identity_id: input.service_identity_id,
    tls: input.tls,
    created_at: now,
    updated_at: now,
    created_by: actor,
    version: 1,
  });
  await recordAudit(deps.store, { subject_id: id, action: 'vcenter.created', at: now, detail: { url: instance.url } });
  return instance;
}

/**
 * What the runbook's diagnosis needs, on top of the record: the instance's breaker from the shared board
 * (what any container last recorded, GET /api/v1/upstreams), and this container's client when it has one.
 */
export async function instanceView(deps: Pick<Deps, 'clock' | 'vcenter' | 'store'>, instance: VCenterInstance) {
  const { sync_state, ...rest } = instance;
  const client = deps.vcenter.health(instance.id);
  const shared = await vcenterBreaker(deps, instance.id);
  const syncAgeMinutes = instance.last_successful_sync_at
    ? Math.floor((deps.clock.now() - Date.parse(instance.last_successful_sync_at)) / 60_000)
    : null;
  return {
    ...rest,
    reachable: instance.reachable ?? null,
    api_version: client?.apiVersion ?? instance.api_version ?? null,
    sync_age_minutes: syncAgeMinutes,
    delta_ready: Boolean(sync_state?.collector_version && !sync_state.invalidated),
    breaker: {
      state: shared?.state ?? 'closed',
      consecutive_failures: shared?.consecutive_failures ?? 0,
      next_attempt_at: shared?.state === 'open' ? (shared.next_attempt_at ?? null) : null,
    },
    client: client
      ? {
          open_sessions: client.loggedIn ? 1 : 0,
          property_collectors: client.propertyCollectors,
          // This container's breaker (per instance, per container): what the next sync run here will meet.
          breaker: client.breaker,
          consecutive_failures: client.consecutiveFailures,
          breaker_retry_at: client.breakerRetryAt?.toISOString() ?? null,
          free_request_slots: client.freeRequestSlots,
          session_generation: client.sessionGeneration,
        }
      : { open_sessions: 0, property_collectors: 0, note: 'no client in this container yet' },
  };
}

export const getVcenterInstance = (deps: VcDeps, id: string) => vcenterInstances.get(deps.store, id);

export const listVcenterInstances = (deps: VcDeps, page: { limit: number; cursor?: string }): Promise<Page<VCenterInstance>> =>
  vcenterInstances.list(deps.store, page);

export async function updateVcenterInstance(deps: VcDeps, id: string, change: VCenterInstanceUpdate): Promise<VCenterInstance> {
  const { version, ...fields } = change;
  await checkReferences(deps.store, fields);
  const before = await vcenterInstances.get(deps.store, id);
  const me = vcenterInstanceRef(id);
  if (fields.site_id && fields.site_id !== before.site_id) await references.add(deps.store, siteRef(fields.site_id), me);
  if (fields.service_identity_id && fields.service_identity_id !== before.service_identity_id)
    await references.add(deps.store, serviceIdentityRef(fields.service_identity_id), me);
  const now = isoNow(deps.clock);
  // A new URL, identity or trust policy means the stored delta state belongs to another session: start over.
  const resetsSync = fields.url !== undefined || fields.service_identity_id !== undefined || fields.tls !== undefined;
  const updated = await vcenterInstances.update(
    deps.store,
    id,
    (c) => ({ ...c, ...fields, ...(resetsSync ? { sync_state: undefined } : {}), updated_at: now }),
    version,
  );
  if (updated.site_id !== before.site_id) await references.remove(deps.store, siteRef(before.site_id), me);
  if (updated.service_identity_id !== before.service_identity_id)
    await references.remove(deps.store, serviceIdentityRef(before.service_identity_id), me);
  if (resetsSync) {
    if (before.sync_state?.session_secret_ref) await deps.secrets.delete(before.sync_state.session_secret_ref);
    await deps.vcenter.drop(id);
  }
  await recordAudit(deps.store, { subject_id: id, action: 'vcenter.updated', at: now, detail: { fields: Object.keys(fields) } });
  return updated;
}

export async function deleteVcenterInstance(deps: VcDeps, id: string): Promise<void> {
  const instance = await vcenterInstances.get(deps.store, id);
  await references.refuseWhileUsed(deps.store, vcenterInstanceRef(id), 'remove those first');
  await vcenterInstances.remove(deps.store, instance);
  await deps.vcenter.drop(id);
  if (instance.sync_state?.session_secret_ref) await deps.secrets.delete(instance.sync_state.session_secret_ref);
  const me = vcenterInstanceRef(id);
  await references.remove(deps.store, siteRef(instance.site_id), me);
  await references.remove(deps.store, serviceIdentityRef(instance.service_identity_id), me);
  // Its inventory goes with it.
  for await (const page of pages((cursor) => listInventoryPage(deps.store, id, undefined, { limit: 200, cursor }))) {
    for (const r of page.items) await deleteInventory(deps.store, id, r.kind, r.moref);
    const hosts = page.items.filter((r) => r.kind === 'host').map((r) => inventoryTargetId(id, r.moref));
    if (hosts.length) await unlinkHosts(deps, hosts);
  }
  await recordAudit(deps.store, { subject_id: id, action: 'vcenter.deleted', at: isoNow(deps.clock) });
}
