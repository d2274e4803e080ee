import { fetchPeerCertificate, normalizeThumbprint, type TlsPolicy, VSphereClient } from '../adapters/vsphere';
import { config } from '../config';
import type { VCenterInstance } from '../domain/vcenter';
import { vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { useCredential } from './service-identities';

type ClientDeps = Pick<Deps, 'store' | 'secrets' | 'clock'>;

/**
 * One vSphere client per vCenter instance per container (module scope): one session, one breaker, one
 * concurrency limit. A client is rebuilt when what it was built from (URL, TLS, identity) changes, which
 * also starts its breaker afresh. Breaker state is therefore per instance *and* per container: another
 * Lambda container (or the API function) has its own, closed until it sees failures itself.
 */
const clients = new Map<string, { fingerprint: string; client: VSphereClient }>();

/** The runbook's PropertyCollector session limits: requests and private collectors per instance. */
export const VCENTER_MAX_CONCURRENT_REQUESTS = 4;
export const VCENTER_MAX_PROPERTY_COLLECTORS = 2;

const fingerprintOf = (i: VCenterInstance) => JSON.stringify([i.url, i.tls, i.service_identity_id]);

/** Resolves trust-on-first-use: records the thumbprint seen now, then pins it. */
async function tlsPolicy(deps: ClientDeps, instance: VCenterInstance): Promise<{ policy: TlsPolicy; instance: VCenterInstance }> {
  const tls = instance.tls;
  if ('insecure' in tls) return { policy: { kind: 'insecure' }, instance };
  if ('ca_pem' in tls) return { policy: { kind: 'ca', ca: tls.ca_pem }, instance };
  if (tls.pinned_thumbprint) return { policy: { kind: 'pinned', thumbprint: tls.pinned_thumbprint }, instance };
  const peer = await fetchPeerCertificate(instance.url);
  const thumbprint = normalizeThumbprint(peer.thumbprint);
  const updated = await vcenterInstances.update(deps.store, instance.id, (c) => ({
    ...c,
    tls: { pinned_thumbprint: thumbprint, trust_on_first_use: true },
    updated_at: new Date(deps.clock.now()).toISOString(),
  }));
  return { policy: { kind: 'pinned', thumbprint }, instance: updated };
}

export async function vcenterClient(deps: ClientDeps, instance: VCenterInstance): Promise<VSphereClient> {
  const cached = clients.get(instance.id);
  if (cached && cached.fingerprint === fingerprintOf(instance)) return cached.client;
  if (cached) {
    clients.delete(instance.id);
    void cached.client.close().catch(() => undefined);
  }
  const { policy, instance: current } = await tlsPolicy(deps, instance);
  const client = new VSphereClient({
    url: current.url,
    tls: policy,
    credentials: async () => {
      const { identity, secret } = await useCredential(deps, current.service_identity_id, `vcenter ${current.id} login`);
      return { username: identity.username, password: secret };
    },
    maxConcurrentRequests: VCENTER_MAX_CONCURRENT_REQUESTS,
    maxPropertyCollectors: VCENTER_MAX_PROPERTY_COLLECTORS,
    breakerThreshold: config().vcenter.breakerThreshold,
    breakerHalfOpenAfterMs: config().vcenter.breakerHalfOpenMs,
  });
  clients.set(instance.id, { fingerprint: fingerprintOf(current), client });
  return client;
}

export function cachedVcenterClient(instanceId: string): VSphereClient | undefined {
  return clients.get(instanceId)?.client;
}

export async function dropVcenterClient(instanceId: string): Promise<void> {
  const cached = clients.get(instanceId);
  clients.delete(instanceId);
  await cached?.client.close().catch(() => undefined);
}

/** Forgets every client without logging out, as a recycled Lambda container would (tests use it). */
export function forgetVcenterClients(): void {
  clients.clear();
}

/** Logs out of every vCenter (container or local stack shutdown). */
export async function closeVcenterClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.client.close().catch(() => undefined)));
}
