import { mapBounded } from '../../../shared/lib/async';
import { SimulatedEndpoint } from './endpoint';
import type { EndpointInfo, EndpointOptions } from './endpoint-types';
import { serviceTagFor } from './identity/dell-ids';
import type { Generation } from './identity/profiles';
import { coveringCidr, nthAddress } from './net/ipv4';
import type { Credentials } from './state/accounts';
import type { SimEvent } from './state/events';
import { CertificateStore } from './tls/cert-store';

export interface FleetOptions {
  count: number;
  /** First endpoint address; the rest follow, skipping .0 and .255. Default 127.20.0.1. */
  baseAddress?: string;
  /** Put every endpoint on `baseAddress`, told apart by port only (then ports must be 0). */
  sameAddress?: boolean;
  /** Ports every endpoint uses on its own address (e.g. 443/5986 for a site sweep); 0 = free ports. */
  ports?: { https?: number; wsman?: number };
  seed?: string;
  /** Where generated certificates are cached between runs (recommended: a directory under .eio/ or a test tmp dir). */
  certDir?: string;
  generation?: Generation | ((index: number) => Generation);
  credentials?: Credentials | ((index: number) => Credentials);
  speed?: number;
  /** Anything else per endpoint (faults, TLS cap, WS-Man on/off, ...). */
  endpoint?: (index: number) => Partial<EndpointOptions>;
  /** How many endpoints start at once. */
  concurrency?: number;
  onEvent?: (index: number, event: SimEvent) => void;
}

function uniqueTags(seed: string, count: number): string[] {
  const seen = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    for (let salt = 0; ; salt++) {
      const tag = serviceTagFor(salt === 0 ? `${seed}:${i}` : `${seed}:${i}:${salt}`);
      if (!seen.has(tag)) {
        seen.add(tag);
        return tag;
      }
    }
  });
}

/** Many simulated iDRACs at once on loopback, each with its own identity, certificate and credentials. */
export class SimulatorFleet {
  private constructor(readonly endpoints: SimulatedEndpoint[]) {}

  static async start(options: FleetOptions): Promise<SimulatorFleet> {
    const base = options.baseAddress ?? '127.20.0.1';
    if (options.sameAddress && (options.ports?.https || options.ports?.wsman)) {
      throw new Error('sameAddress needs free ports: fixed ports would collide');
    }
    const seed = options.seed ?? 'eio';
    const tags = uniqueTags(seed, options.count);
    const store = new CertificateStore(options.certDir);
    const pick = <T>(value: T | ((i: number) => T) | undefined, i: number): T | undefined =>
      typeof value === 'function' ? (value as (i: number) => T)(i) : value;
    const endpoints = tags.map(
      (serviceTag, index) =>
        new SimulatedEndpoint({
          index,
          address: options.sameAddress ? base : nthAddress(base, index),
          seed,
          serviceTag,
          generation: pick(options.generation, index),
          credentials: pick(options.credentials, index),
          speed: options.speed,
          ports: options.ports,
          certStore: store,
          onEvent: options.onEvent ? (event) => options.onEvent?.(index, event) : undefined,
          ...options.endpoint?.(index),
        }),
    );
    const fleet = new SimulatorFleet(endpoints);
    try {
      await mapBounded(endpoints, options.concurrency ?? 16, (e) => e.start());
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  get size(): number {
    return this.endpoints.length;
  }

  endpoint(index: number): SimulatedEndpoint {
    const endpoint = this.endpoints[index];
    if (!endpoint) throw new Error(`no endpoint ${index} in a fleet of ${this.endpoints.length}`);
    return endpoint;
  }

  info(): EndpointInfo[] {
    return this.endpoints.map((e) => e.info());
  }

  /** Smallest CIDR holding every endpoint: a lab site's management network. */
  cidr(): string {
    return coveringCidr(this.info().map((i) => i.address));
  }

  async stop(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.stop()));
  }
}
