import { config } from '../../config';
import type { Idrac } from '../../ports/idrac';
import { IdracClient } from './idrac-client';

/**
 * The one iDRAC client of this container (pools, breakers and learned certificates live for its life).
 * Built from config on first use; the local stack and tests may hand in their own with provideIdrac().
 */
let current: Idrac | undefined;

export function idrac(): Idrac {
  current ??= new IdracClient({
    connectTimeoutMs: config().idrac.connectTimeoutMs,
    headersTimeoutMs: config().idrac.headersTimeoutMs,
    bodyTimeoutMs: config().idrac.bodyTimeoutMs,
  });
  return current;
}

export function provideIdrac(client: Idrac | undefined): void {
  current = client;
}

/** Closes the client's pooled connections (local stack shutdown); the next use builds a fresh one. */
export async function disposeIdrac(): Promise<void> {
  const c = current;
  current = undefined;
  await c?.dispose();
}
