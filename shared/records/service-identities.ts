/** Service identity records (pk SI#<id>, sk SI; the secret itself lives in the Secrets port) and the reference to one. */
import type { ServiceIdentity } from '../domain/service-identity';
import { Entity } from './entity';

export const serviceIdentities = new Entity<ServiceIdentity>('service identity', 'SI');
export const serviceIdentityRef = (id: string) => ({ kind: 'SI', id, label: 'service identity' });
