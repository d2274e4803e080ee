/**
 * The composition root of the local stack (infra/local/stack.ts) and of its function container threads
 * (infra/local/function-container.ts): the local stand-ins for AWS services come in built, the rest is what
 * AWS gets too (common-deps.ts). Its twin for Lambda is aws-deps.ts.
 */
import type { Deps } from '../usecases/deps';
import { type ServiceAdapters, withDeviceClients } from './common-deps';

export function localDeps(services: ServiceAdapters): Deps {
  return withDeviceClients(services);
}
