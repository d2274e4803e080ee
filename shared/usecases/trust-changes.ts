/**
 * The API's way to create and change sites and iDRAC endpoints: what only an admin may ask for (where a
 * credential may go and which certificate to trust, shared/domain/credential-reach.ts) is refused with 403
 * naming each field before anything is written; the rest is the same create and update discovery and the
 * demo lab use.
 */
import {
  adminOnlyInEndpointCreate,
  adminOnlyInEndpointUpdate,
  adminOnlyInSiteCreate,
  adminOnlyInSiteUpdate,
  type Caller,
  requireAdminFor,
} from '../domain/credential-reach';
import type { DellEndpoint, DellEndpointCreate, DellEndpointUpdate } from '../domain/dell-endpoint';
import type { Site, SiteCreate, SiteUpdate } from '../domain/site';
import { dellEndpoints } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { createDellEndpoint, updateDellEndpoint } from './dell-endpoints';
import type { Deps } from './deps';
import { createSite, updateSite } from './sites';

type TrustDeps = Pick<Deps, 'store' | 'clock'>;

export async function registerDellEndpoint(deps: TrustDeps, input: DellEndpointCreate, caller: Caller): Promise<DellEndpoint> {
  // A missing site is createDellEndpoint's 400; there is nothing to compare the credential with before it.
  const site = await sites.find(deps.store, input.site_id);
  if (site) requireAdminFor(caller, adminOnlyInEndpointCreate(input, site));
  return createDellEndpoint(deps, input, caller.subject);
}

export async function changeDellEndpoint(deps: TrustDeps, id: string, change: DellEndpointUpdate, caller: Caller): Promise<DellEndpoint> {
  const ep = await dellEndpoints.get(deps.store, id);
  requireAdminFor(caller, adminOnlyInEndpointUpdate(change, await sites.get(deps.store, ep.site_id)));
  return updateDellEndpoint(deps, id, change, caller.subject);
}

export async function registerSite(deps: TrustDeps, input: SiteCreate, caller: Caller): Promise<Site> {
  requireAdminFor(caller, adminOnlyInSiteCreate(input));
  return createSite(deps, input, caller.subject);
}

export async function changeSite(deps: TrustDeps, id: string, change: SiteUpdate, caller: Caller): Promise<Site> {
  requireAdminFor(caller, adminOnlyInSiteUpdate(change));
  return updateSite(deps, id, change);
}
