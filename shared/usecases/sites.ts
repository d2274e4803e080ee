/** Sites: create, read, list, update and delete, with the audit trail; a site still in use cannot be deleted. */
import { config } from '../config';
import { assertDevicePortsOpen } from '../domain/device-ports';
import { ConflictError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Site, SiteCreate, SiteUpdate } from '../domain/site';
import { isoNow } from '../ports/clock';
import type { Page } from '../ports/store';
import { recordAudit } from '../records/audit';
import { references } from '../records/references';
import { serviceIdentityRef } from '../records/service-identities';
import { siteRef, sites } from '../records/sites';
import { assertIdracIdentity } from './dell-endpoints';
import type { Deps } from './deps';

type SiteDeps = Pick<Deps, 'store' | 'clock'>;

export async function createSite(deps: SiteDeps, input: SiteCreate, actor: string): Promise<Site> {
  const now = isoNow(deps.clock);
  const id = input.id ?? newId('site', deps.clock.now());
  if (config().runtime === 'aws') assertDevicePortsOpen({ redfish_port: input.redfish_port, wsman_port: input.wsman_port });
  if (input.idrac_service_identity_id) {
    await assertIdracIdentity(deps.store, input.idrac_service_identity_id, 'body.idrac_service_identity_id');
    if (await sites.exists(deps.store, id)) throw new ConflictError(`site '${id}' already exists`);
    await references.add(deps.store, serviceIdentityRef(input.idrac_service_identity_id), siteRef(id));
  }
  const site = await sites.create(deps.store, {
    id,
    name: input.name,
    description: input.description,
    management_networks: input.management_networks,
    ...(input.idrac_service_identity_id ? { idrac_service_identity_id: input.idrac_service_identity_id } : {}),
    trust_on_first_use: input.trust_on_first_use,
    ...(input.redfish_port ? { redfish_port: input.redfish_port } : {}),
    ...(input.wsman_port ? { wsman_port: input.wsman_port } : {}),
    ...(input.discovery_exclusions?.length ? { discovery_exclusions: input.discovery_exclusions } : {}),
    created_at: now,
    updated_at: now,
    created_by: actor,
    version: 1,
  });
  await recordAudit(deps.store, {
    subject_id: site.id,
    action: 'site.created',
    at: now,
    detail: {
      name: site.name,
      management_networks: site.management_networks,
      trust_on_first_use: site.trust_on_first_use,
      ...(site.idrac_service_identity_id ? { idrac_service_identity_id: site.idrac_service_identity_id } : {}),
    },
  });
  return site;
}

export const getSite = (deps: SiteDeps, id: string): Promise<Site> => sites.get(deps.store, id);

export const listSites = (deps: SiteDeps, page: { limit: number; cursor?: string }): Promise<Page<Site>> => sites.list(deps.store, page);

export async function updateSite(deps: SiteDeps, id: string, change: SiteUpdate): Promise<Site> {
  const { version, idrac_service_identity_id: si, redfish_port, wsman_port, ...fields } = change;
  if (config().runtime === 'aws') assertDevicePortsOpen({ redfish_port, wsman_port });
  if (si) await assertIdracIdentity(deps.store, si, 'body.idrac_service_identity_id');
  const before = await sites.get(deps.store, id);
  if (si) await references.add(deps.store, serviceIdentityRef(si), siteRef(id));
  const now = isoNow(deps.clock);
  const updated = await sites.update(
    deps.store,
    id,
    (current) => {
      const next: Site = { ...current, ...fields, updated_at: now };
      // `null` clears an optional setting; absent leaves it as it is.
      const set = <K extends 'idrac_service_identity_id' | 'redfish_port' | 'wsman_port'>(k: K, v: Site[K] | null | undefined) => {
        if (v === null) delete next[k];
        else if (v !== undefined) next[k] = v;
      };
      set('idrac_service_identity_id', si);
      set('redfish_port', redfish_port);
      set('wsman_port', wsman_port);
      return next;
    },
    version,
  );
  if (before.idrac_service_identity_id && before.idrac_service_identity_id !== updated.idrac_service_identity_id)
    await references.remove(deps.store, serviceIdentityRef(before.idrac_service_identity_id), siteRef(id));
  // Where the site's credential may go is worth its before and after.
  const networks = change.management_networks
    ? { management_networks: { from: before.management_networks, to: updated.management_networks } }
    : {};
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'site.updated',
    at: now,
    detail: { fields: Object.keys(change).filter((k) => k !== 'version'), ...networks },
  });
  return updated;
}

export async function deleteSite(deps: SiteDeps, id: string): Promise<void> {
  const site = await sites.get(deps.store, id);
  await references.refuseWhileUsed(deps.store, siteRef(id), 'remove or move those first');
  await sites.remove(deps.store, site);
  if (site.idrac_service_identity_id) await references.remove(deps.store, serviceIdentityRef(site.idrac_service_identity_id), siteRef(id));
  await recordAudit(deps.store, { subject_id: id, action: 'site.deleted', at: isoNow(deps.clock) });
}
