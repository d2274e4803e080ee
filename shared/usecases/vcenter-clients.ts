/**
 * How EIO reaches one vCenter instance: its client from the vCenter port (one per instance per container,
 * rebuilt when its URL, TLS policy or identity changes), trust on first use resolved first, the instance's
 * service identity read at each login.
 */

import type { VCenterInstance } from '../domain/vcenter';
import { isoNow } from '../ports/clock';
import type { VCenterClient, VCenterTlsPolicy } from '../ports/vcenter';
import { vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { useCredential } from './service-identities';

type ClientDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'vcenter'>;

/** The instance's TLS policy; undefined while trust on first use has not pinned a thumbprint yet. */
export function tlsPolicyOf(instance: VCenterInstance): VCenterTlsPolicy | undefined {
  const tls = instance.tls;
  if ('insecure' in tls) return { kind: 'insecure' };
  if ('ca_pem' in tls) return { kind: 'ca', ca: tls.ca_pem };
  return tls.pinned_thumbprint ? { kind: 'pinned', thumbprint: tls.pinned_thumbprint } : undefined;
}

/** Trust on first use: records the thumbprint the server presents now, which pins it from then on. */
async function pinFirstSeen(deps: ClientDeps, instance: VCenterInstance): Promise<VCenterTlsPolicy> {
  const thumbprint = await deps.vcenter.peerThumbprint(instance.url);
  await vcenterInstances.update(deps.store, instance.id, (c) => ({
    ...c,
    tls: { pinned_thumbprint: thumbprint, trust_on_first_use: true },
    updated_at: isoNow(deps.clock),
  }));
  return { kind: 'pinned', thumbprint };
}

/** The instance's client; trust on first use pins the thumbprint on the instance record first. */
export async function vcenterClient(deps: ClientDeps, instance: VCenterInstance): Promise<VCenterClient> {
  const tls = tlsPolicyOf(instance) ?? (await pinFirstSeen(deps, instance));
  return deps.vcenter.connect({
    instanceId: instance.id,
    url: instance.url,
    tls,
    identity: instance.service_identity_id,
    credentials: async () => {
      const { identity, secret } = await useCredential(deps, instance.service_identity_id, `vcenter ${instance.id} login`);
      return { username: identity.username, password: secret };
    },
  });
}
