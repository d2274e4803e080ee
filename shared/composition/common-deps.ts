/**
 * What both composition roots (aws-deps.ts, local-deps.ts) add to the AWS-service adapters: the clock, the
 * device clients (iDRAC, vCenter) and the credential verifiers built on them. One place, so AWS and the local
 * stack can never differ in how EIO reaches a device.
 */
import { VSphereClients } from '../adapters/vsphere';
import { config } from '../config';
import { systemClock } from '../ports/clock';
import { idracCredentialVerifier } from '../usecases/dell-endpoints';
import type { Deps } from '../usecases/deps';
import { vcenterCredentialVerifier } from '../usecases/vcenter-health';

/** The adapters that differ between AWS and the local stack. */
export type ServiceAdapters = Pick<Deps, 'store' | 'queue' | 'workflows' | 'secrets' | 'workerPools' | 'probes'>;

export function withDeviceClients(services: ServiceAdapters): Deps {
  const { store } = services;
  const { breakerThreshold, breakerHalfOpenMs } = config().vcenter;
  const vcenter = new VSphereClients({ breakerThreshold, breakerHalfOpenAfterMs: breakerHalfOpenMs });
  return {
    ...services,
    vcenter,
    verifiers: { idrac: idracCredentialVerifier(store), vcenter: vcenterCredentialVerifier({ store, vcenter }) },
    clock: systemClock,
    startedAt: Date.now(),
  };
}
