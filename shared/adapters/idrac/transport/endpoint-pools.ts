import { isIPv6 } from 'node:net';
import { Pool } from 'undici';
import type { TlsFacts } from '../../../domain/idrac';
import type { IdracTarget } from '../../../ports/idrac';
import type { IdracClientOptions } from '../options';
import type { AnchorCache } from '../tls/anchors';
import { type Presented, trustingConnector } from '../tls/connector';
import { normalizeThumbprint } from '../tls/thumbprint';

export interface PooledEndpoint {
  pool: Pool;
  origin: string;
  /** The certificate of the latest handshake on this port, trusted or not. */
  lastPresented?: Presented;
  /** Trust on first use: the certificate this pool's connector accepted, and now takes alone. */
  firstUsePin?: string;
}

const policyOf = (tls: IdracTarget['tls'], pin = tls.pinnedThumbprint) =>
  JSON.stringify([pin ? normalizeThumbprint(pin) : '', tls.caPem ?? '', !!tls.insecure, !!tls.legacy, !pin && !!tls.trustOnFirstUse]);

function originOf(address: string, port: number): string {
  return `https://${isIPv6(address) ? `[${address}]` : address}:${port}`;
}

/**
 * One undici Pool per iDRAC port (address:port), created once and reused across calls, so keep-alive
 * sockets and learned certificates survive between invocations of a warm container. A target whose TLS
 * policy changed (a new pin, a CA bundle) gets a fresh pool and the old one is closed; pinning the
 * certificate a pool accepted on first use keeps that pool. At most `maxPools` are kept: beyond that the
 * least recently used idle ones are closed (a sweep of a few /20 networks would otherwise leave a pool per
 * address it ever probed for the container's lifetime).
 */
export class EndpointPools {
  /** In order of last use, oldest first. */
  private readonly pools = new Map<string, PooledEndpoint & { policy: string }>();

  constructor(
    private readonly options: IdracClientOptions,
    private readonly anchors: AnchorCache,
    private readonly maxPools = 4_096,
  ) {}

  /**
   * `lane` keeps a pool apart from the endpoint's own: the probe's look-only identification over a certificate
   * nobody vouches for has one of its own, never used with a credential and dropped after the look.
   */
  get(target: IdracTarget, port: number, lane = ''): PooledEndpoint {
    const key = `${target.address}:${port}${lane}`;
    const policy = policyOf(target.tls);
    const existing = this.pools.get(key);
    if (existing) {
      this.pools.delete(key);
      this.pools.set(key, existing);
    }
    if (existing?.policy === policy) return existing;
    // Pinning what this pool accepted on first use changes nothing for its connector: keep its sockets.
    const pin = target.tls.pinnedThumbprint ? normalizeThumbprint(target.tls.pinnedThumbprint) : undefined;
    if (
      existing?.firstUsePin &&
      existing.firstUsePin === pin &&
      existing.policy === policyOf({ ...target.tls, trustOnFirstUse: true }, '')
    ) {
      existing.policy = policy;
      return existing;
    }
    if (existing) void existing.pool.close().catch(() => undefined);

    const entry: PooledEndpoint & { policy: string } = {
      policy,
      origin: originOf(target.address, port),
      pool: undefined as unknown as Pool,
    };
    entry.pool = new Pool(entry.origin, {
      connect: trustingConnector({
        address: target.address,
        trust: target.tls,
        connectTimeoutMs: this.options.connectTimeoutMs,
        anchors: this.anchors,
        onPresented: (presented) => {
          entry.lastPresented = presented;
        },
        onFirstUse: (thumbprint) => {
          entry.firstUsePin = thumbprint;
        },
        log: this.options.log,
      }),
      // One socket per iDRAC port: its requests take turns on it. An iDRAC's web server is small, and every
      // extra socket is a TLS handshake on both sides (a discovery sweep's largest cost after the store).
      // The concurrency limit in front (resilience, per iDRAC) still lets Redfish and WS-Man run at once.
      connections: 1,
      headersTimeout: this.options.headersTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
      keepAliveTimeout: this.options.keepAliveTimeoutMs,
      keepAliveMaxTimeout: this.options.keepAliveTimeoutMs,
    });
    this.pools.set(key, entry);
    this.evictIdle();
    return entry;
  }

  /** Closes the least recently used pools with nothing running or queued until at most `maxPools` are left. */
  private evictIdle(): void {
    let over = this.pools.size - this.maxPools;
    for (const [key, entry] of this.pools) {
      if (over <= 0) return;
      if (entry.pool.stats.size > 0) continue;
      this.pools.delete(key);
      void entry.pool.destroy().catch(() => undefined);
      over--;
    }
  }

  /** How many pools are kept (for tests of the bound). */
  get size(): number {
    return this.pools.size;
  }

  /** TLS facts of the latest handshake with this port, if any happened. */
  tlsFacts(target: IdracTarget, port: number): TlsFacts | undefined {
    const presented = this.pools.get(`${target.address}:${port}`)?.lastPresented;
    if (!presented) return undefined;
    const { pem: _pem, ...facts } = presented;
    return facts;
  }

  /** Closes and forgets one lane's pool (its learned certificate with it). */
  drop(target: IdracTarget, port: number, lane: string): void {
    const key = `${target.address}:${port}${lane}`;
    const entry = this.pools.get(key);
    this.pools.delete(key);
    if (entry) void entry.pool.destroy().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(entries.map((e) => e.pool.destroy().catch(() => undefined)));
  }
}
