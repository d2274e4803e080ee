import { ConflictError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Site, SiteCreate, SiteUpdate } from '../domain/site';
import type { Page } from '../ports/store';
import { recordAudit } from '../records/audit';
import { liveReferrers } from '../records/references';
import { siteRef, sites } from '../records/sites';
import type { Deps } from './deps';

type SiteDeps = Pick<Deps, 'store' | 'clock'>;

export async function createSite(deps: SiteDeps, input: SiteCreate, actor: string): Promise<Site> {
  const now = new Date(deps.clock.now()).toISOString();
  const site = await sites.create(deps.store, {
    id: input.id ?? newId('site', deps.clock.now()),
    name: input.name,
    description: input.description,
    management_networks: input.management_networks,
    created_at: now,
    updated_at: now,
    created_by: actor,
    version: 1,
  });
  await recordAudit(deps.store, { subject_id: site.id, action: 'site.created', at: now, detail: { name: site.name } });
  return site;
}

export const getSite = (deps: SiteDeps, id: string): Promise<Site> => sites.get(deps.store, id);

export const listSites = (deps: SiteDeps, page: { limit: number; cursor?: string }): Promise<Page<Site>> =>
  sites.list(deps.store, page);

export async function updateSite(deps: SiteDeps, id: string, change: SiteUpdate): Promise<Site> {
  const { version, ...fields } = change;
  const now = new Date(deps.clock.now()).toISOString();
  const updated = await sites.update(deps.store, id, (current) => ({ ...current, ...fields, updated_at: now }), version);
  await recordAudit(deps.store, { subject_id: id, action: 'site.updated', at: now, detail: { fields: Object.keys(fields) } });
  return updated;
}

export async function deleteSite(deps: SiteDeps, id: string): Promise<void> {
  const site = await sites.get(deps.store, id);
  const users = await liveReferrers(deps.store, siteRef(id));
  if (users.length > 0)
    throw new ConflictError(`site '${id}' is still used by ${users.join(', ')}; remove or move those first`, {
      referenced_by: users,
    });
  await sites.remove(deps.store, site);
  await recordAudit(deps.store, { subject_id: id, action: 'site.deleted', at: new Date(deps.clock.now()).toISOString() });
}
