/**
 * IPAM exceptions (Entity pattern): pk = IPEXC#<id>, gsi1 KIND#IPEXC / <id>. Exceptions are few (one per
 * known multi-homed host or lab prefix), so whoever judges findings reads them all.
 */
import type { IpException } from '../domain/ipam/exceptions';
import type { Store } from '../ports/store';
import { Entity } from './entity';
import { allItems } from './paging';

export const ipExceptions = new Entity<IpException>('IPAM exception', 'IPEXC');

export const allExceptions = (store: Store): Promise<IpException[]> =>
  allItems((cursor) => ipExceptions.list(store, { limit: 200, cursor }));
