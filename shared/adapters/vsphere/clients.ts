import type { UpstreamLimits } from '../../domain/upstream';
import type { BreakerBoard } from '../../ports/upstream-breakers';
import type { VCenter, VCenterAbout, VCenterClientHealth, VCenterCredential, VCenterTarget, VCenterTlsPolicy } from '../../ports/vcenter';
import { clientLimits, VSphereClient } from './client';
import { VSphereInstanceClient } from './instance-client';
import { fetchPeerCertificate, normalizeThumbprint } from './tls-trust';

export interface VSphereClientsOptions {
  /** Consecutive transport failures that open an instance's breaker, and how long it stays open. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  /** Requests in flight per instance, and private PropertyCollectors per instance (the runbook's session limits). */
  maxConcurrentRequests?: number;
  maxPropertyCollectors?: number;
  /** Where each instance's breaker reports its transitions and learns of an admin's reset (shared by all containers). */
  breakers?: BreakerBoard;
}

/**
 * The vCenter port: one client per instance in this container (one session, one breaker, one concurrency
 * limit), rebuilt when what it was built from (URL, TLS policy, identity) changes, which also starts its
 * breaker afresh. Each container's breaker is its own, closed until it sees failures itself; its transitions
 * go to the shared board (`breakers`), which the API shows and an admin's reset goes through. Probes and
 * login checks use short-lived clients of their own.
 */
export class VSphereClients implements VCenter {
  private readonly clients = new Map<string, { fingerprint: string; client: VSphereInstanceClient }>();

  constructor(private readonly options: VSphereClientsOptions) {}

  connect(target: VCenterTarget): VSphereInstanceClient {
    const fingerprint = JSON.stringify([target.url, target.tls, target.identity]);
    const cached = this.clients.get(target.instanceId);
    if (cached?.fingerprint === fingerprint) return cached.client;
    if (cached) void cached.client.close().catch(() => undefined);
    const client = new VSphereInstanceClient(
      new VSphereClient({
        url: target.url,
        tls: target.tls,
        credentials: target.credentials,
        ...this.limitOptions(),
        sharedBreaker: this.options.breakers?.for('vcenter', target.instanceId),
      }),
    );
    this.clients.set(target.instanceId, { fingerprint, client });
    return client;
  }

  limits(): UpstreamLimits {
    const l = clientLimits(this.limitOptions());
    return {
      max_concurrent_requests: l.maxConcurrentRequests,
      max_queued_requests: l.maxQueuedRequests,
      retries: l.retries,
      retry_max_delay_ms: l.retryMaxDelayMs,
      connect_timeout_ms: l.connectTimeoutMs,
      response_timeout_ms: l.requestTimeoutMs,
      breaker: { failure_threshold: l.breakerThreshold, half_open_after_ms: l.breakerHalfOpenAfterMs },
      max_property_collectors: l.maxPropertyCollectors,
    };
  }

  health(instanceId: string): VCenterClientHealth | undefined {
    return this.clients.get(instanceId)?.client.health();
  }

  /** The limits every instance's client is built with (the client's defaults fill what is not set here). */
  private limitOptions() {
    const { maxConcurrentRequests, maxPropertyCollectors, breakerThreshold, breakerHalfOpenAfterMs } = this.options;
    return { maxConcurrentRequests, maxPropertyCollectors, breakerThreshold, breakerHalfOpenAfterMs };
  }

  async drop(instanceId: string): Promise<void> {
    const cached = this.clients.get(instanceId);
    this.clients.delete(instanceId);
    await cached?.client.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.client.close().catch(() => undefined)));
  }

  forgetAll(): void {
    this.clients.clear();
  }

  async peerThumbprint(url: string): Promise<string> {
    return normalizeThumbprint((await fetchPeerCertificate(url)).thumbprint);
  }

  async about(url: string, tls: VCenterTlsPolicy): Promise<VCenterAbout> {
    const client = new VSphereClient({
      url,
      tls,
      credentials: async () => {
        throw new Error('a reachability probe does not log in');
      },
      retries: 0,
      requestTimeoutMs: 10_000,
    });
    try {
      const content = await client.retrieveServiceContent();
      return { api_version: content.about?.apiVersion, product: content.about?.fullName };
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  async checkLogin(url: string, tls: VCenterTlsPolicy, credential: VCenterCredential): Promise<void> {
    const client = new VSphereClient({ url, tls, credentials: credential, retries: 0 });
    try {
      await client.login();
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
