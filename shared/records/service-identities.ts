import type { ServiceIdentity } from '../domain/service-identity';
import { Entity } from './entity';

export const serviceIdentities = new Entity<ServiceIdentity>('service identity', 'SI');
export const serviceIdentityRef = (id: string) => ({ kind: 'SI', id, label: 'service identity' });
