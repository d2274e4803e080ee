import { VSphereClient, type VSphereClientOptions } from '../../shared/adapters/vsphere';
import type { Vcsim } from '../support/vcsim';

/** A client for a test vcsim, trusting its certificate as a CA unless the test says otherwise. */
export function clientFor(sim: Vcsim, overrides: Partial<VSphereClientOptions> = {}): VSphereClient {
  return new VSphereClient({
    url: sim.url,
    credentials: { username: sim.user, password: sim.password },
    tls: { kind: 'ca', ca: sim.certPem },
    // Short backoff: the tests count attempts, they do not time them.
    retryInitialDelayMs: 10,
    retryMaxDelayMs: 50,
    ...overrides,
  });
}

/** Closes clients whatever state a test left them in. */
export async function closeAll(clients: VSphereClient[]): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
}

export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
