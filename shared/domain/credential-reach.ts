/**
 * Where an iDRAC credential may go, and who decides it (docs/idrac-clients.md, "Where a credential may go").
 * An endpoint's address lies in its site's management networks unless an admin recorded why not; trusting a
 * certificate (insecure, a CA, a pin, TLS 1.0/1.1), naming a credential other than the site's, and a site's
 * networks, credential and trust on first use are an admin's to change. An operator keeps the everyday work:
 * registering endpoints inside the networks, refreshing, discovering, health checks. Pure.
 */
import { placeInNetworks } from './cidr';
import type { DellEndpoint, DellEndpointCreate, DellEndpointUpdate } from './dell-endpoint';
import { type ErrorDetail, ForbiddenError, ValidationError } from './errors';
import { hasAtLeast, type Role } from './roles';
import type { Site, SiteCreate, SiteUpdate } from './site';

/** Who asks: the token's subject and strongest role. */
export type Caller = { subject: string; role: Role };

/** An admin's recorded decision that this endpoint's address may lie outside its site's management networks. */
export type OutsideSiteNetworks = { reason: string; address: string; approved_by: string; approved_at: string };

/** What in a new endpoint only an admin may ask for, as field paths with why. */
export function adminOnlyInEndpointCreate(input: DellEndpointCreate, site: Site): ErrorDetail[] {
  return [
    ...tlsTrust(input.tls),
    ...otherCredential(input.service_identity_id, site),
    ...(input.outside_site_networks ? [outsideNetworks(site)] : []),
  ];
}

/** What in an endpoint change only an admin may ask for. Tightening (`insecure: false`, `legacy: false`, no own credential) is anyone's. */
export function adminOnlyInEndpointUpdate(change: DellEndpointUpdate, site: Site): ErrorDetail[] {
  return [
    ...(change.tls ? tlsTrust(change.tls) : []),
    ...otherCredential(change.service_identity_id ?? undefined, site),
    ...(change.outside_site_networks !== undefined ? [outsideNetworks(site)] : []),
  ];
}

/** What in a new site only an admin may set: where the site's credential may go, which one, and trust on first use. */
export function adminOnlyInSiteCreate(input: SiteCreate): ErrorDetail[] {
  return siteTrust({
    networks: input.management_networks.length > 0,
    identity: !!input.idrac_service_identity_id,
    tofu: input.trust_on_first_use,
  });
}

/** The same for a site change: any change of its networks; naming a credential or trusting on first use (removing either is anyone's). */
export function adminOnlyInSiteUpdate(change: SiteUpdate): ErrorDetail[] {
  return siteTrust({
    networks: change.management_networks !== undefined,
    identity: !!change.idrac_service_identity_id,
    tofu: change.trust_on_first_use === true,
  });
}

function siteTrust(asks: { networks: boolean; identity: boolean; tofu: boolean }): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (asks.networks) out.push({ path: 'body.management_networks', message: 'the networks an iDRAC credential may be sent to' });
  if (asks.identity) out.push({ path: 'body.idrac_service_identity_id', message: 'the credential sent to every iDRAC of the site' });
  if (asks.tofu) out.push({ path: 'body.trust_on_first_use', message: 'trusting the certificate an iDRAC first shows' });
  return out;
}

/** 403 naming each field that needs the admin role, unless the caller is one. */
export function requireAdminFor(caller: Caller, fields: ErrorDetail[]): void {
  if (!fields.length || hasAtLeast(caller.role, 'admin')) return;
  throw new ForbiddenError(
    `Role '${caller.role}' may not set ${fields.map((f) => `${f.path} (${f.message})`).join(', ')}; 'admin' is needed`,
    fields,
  );
}

/**
 * An endpoint address must be a host address of its site's management networks: not outside them (unless an
 * admin gives `outside_site_networks`), and never a network's own or broadcast address. 400 at `path`.
 */
export function checkEndpointAddress(address: string, site: Site, overridden: boolean, path = 'body.address'): void {
  const place = placeInNetworks(address, site.management_networks);
  if (place.kind === 'not_a_host') throw invalid(path, `${place.reason}, not a device's address`);
  if (place.kind === 'outside' && !overridden)
    throw invalid(
      path,
      `${address} is outside site '${site.id}''s management networks (${site.management_networks.join(', ') || 'none set'}); ` +
        'an admin may register it there with outside_site_networks: {"reason": "..."}',
    );
}

/** Whether an address needs the admin's override (it lies outside the site's networks). */
export const isOutsideSiteNetworks = (address: string, site: Site): boolean =>
  placeInNetworks(address, site.management_networks).kind === 'outside';

/**
 * Why no credential may be sent to this endpoint now, or undefined: checked again right before every use,
 * since a site's networks can change after the endpoint was registered (and records older than the rule exist).
 */
export function credentialWithheld(
  ep: Pick<DellEndpoint, 'address' | 'outside_site_networks'>,
  site: Site | undefined,
): string | undefined {
  if (!site) return `its site does not exist`;
  const place = placeInNetworks(ep.address, site.management_networks);
  if (place.kind === 'host') return undefined;
  if (place.kind === 'not_a_host') return place.reason;
  if (ep.outside_site_networks?.address === ep.address) return undefined;
  return `${ep.address} is outside site '${site.id}''s management networks and no admin allowed it (outside_site_networks)`;
}

function tlsTrust(tls: { insecure?: boolean; legacy?: boolean; ca_pem?: string | null; pinned_thumbprint?: string | null }): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (tls.insecure) out.push({ path: 'body.tls.insecure', message: 'trusting any certificate' });
  if (tls.ca_pem !== undefined) out.push({ path: 'body.tls.ca_pem', message: 'which CA to trust' });
  if (tls.pinned_thumbprint !== undefined) out.push({ path: 'body.tls.pinned_thumbprint', message: 'which certificate to trust' });
  if (tls.legacy) out.push({ path: 'body.tls.legacy', message: 'allowing TLS 1.0/1.1' });
  return out;
}

function otherCredential(id: string | undefined, site: Site): ErrorDetail[] {
  if (!id || id === site.idrac_service_identity_id) return [];
  return [
    {
      path: 'body.service_identity_id',
      message: `a credential other than site '${site.id}''s (${site.idrac_service_identity_id ?? 'none set'})`,
    },
  ];
}

const outsideNetworks = (site: Site): ErrorDetail => ({
  path: 'body.outside_site_networks',
  message: `an address outside site '${site.id}''s management networks`,
});

const invalid = (path: string, message: string) => new ValidationError(`${path}: ${message}`, [{ path, message }]);
