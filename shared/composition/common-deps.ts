/**
 * What both composition roots (aws-deps.ts, local-deps.ts) add to the AWS-service adapters: the clock, the
 * device clients (iDRAC, vCenter) and the credential verifiers built on them. One place, so AWS and the local
 * stack can never differ in how EIO reaches a device.
 */
import { IdracClient } from '../adapters/idrac/idrac-client';
import { VSphereClients } from '../adapters/vsphere';
import { config } from '../config';
import { logger } from '../observability/logger';
import { systemClock } from '../ports/clock';
import { storeBreakerBoard } from '../records/upstream-breakers';
import { idracCredentialVerifier } from '../usecases/dell-endpoints';
import type { Deps } from '../usecases/deps';
import { vcenterCredentialVerifier } from '../usecases/vcenter-health';

/** The adapters that differ between AWS and the local stack. */
export type ServiceAdapters = Pick<Deps, 'store' | 'queue' | 'workflows' | 'secrets' | 'workerPools' | 'probes' | 'notifier' | 'backups'>;

export function withDeviceClients(services: ServiceAdapters): Deps {
  const { store } = services;
  // One per container: pools, breakers, sessions and learned certificates serve every invocation; settings from config.
  // Breakers report their transitions to the store, so every container (and the API) sees the same state.
  const breakers = storeBreakerBoard(store, systemClock, (e) =>
    logger.warn('Could not record a circuit breaker transition', { error: e as Error }),
  );
  const { connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs } = config().idrac;
  const idrac = new IdracClient({ connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs, breakers });
  const { breakerThreshold, breakerHalfOpenMs } = config().vcenter;
  const vcenter = new VSphereClients({ breakerThreshold, breakerHalfOpenAfterMs: breakerHalfOpenMs, breakers });
  return {
    ...services,
    idrac,
    vcenter,
    verifiers: { idrac: idracCredentialVerifier({ store, idrac }), vcenter: vcenterCredentialVerifier({ store, vcenter }) },
    clock: systemClock,
    startedAt: Date.now(),
  };
}
