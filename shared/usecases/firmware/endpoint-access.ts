/** How a firmware or power step reaches one iDRAC: the endpoint's target (address, ports, TLS trust) and its credential. */
import type { DellEndpoint } from '../../domain/dell-endpoint';
import type { IdracCredential, IdracTarget } from '../../ports/idrac';
import { dellEndpoints } from '../../records/dell-endpoints';
import { sites } from '../../records/sites';
import { targetOf } from '../dell-endpoints';
import type { Deps } from '../deps';
import { useCredential } from '../service-identities';

export type EndpointAccess = { endpoint: DellEndpoint; target: IdracTarget; credential: IdracCredential };

/** The endpoint with its own credential, or its site's; an endpoint with neither cannot be acted on. */
export async function endpointAccess(
  deps: Pick<Deps, 'store' | 'secrets' | 'clock'>,
  endpointId: string,
  purpose: string,
): Promise<EndpointAccess> {
  const endpoint = await dellEndpoints.get(deps.store, endpointId);
  const site = await sites.find(deps.store, endpoint.site_id);
  const siId = endpoint.service_identity_id ?? site?.idrac_service_identity_id;
  if (!siId)
    throw new Error(
      `iDRAC endpoint '${endpointId}' has no credential: ` +
        `set service_identity_id on it or idrac_service_identity_id on site '${endpoint.site_id}'`,
    );
  const { identity, secret } = await useCredential(deps, siId, purpose);
  return { endpoint, target: targetOf(endpoint), credential: { username: identity.username, password: secret } };
}
