/**
 * IPAM findings, one item per (address, type), id `ipf-<type>-<address>`:
 *   pk = IPFIND#<address>    sk = <type>                                  the findings at one address (one Query)
 *   gsi1 KIND#IPFIND / <address key>#<type>                               every finding, in address order
 *   gsi2 IPFINDSTATUS#<status> / <site>#<address key>#<type>              findings in one status, by site
 * Every write is conditional: a new finding on absence, a change on the version read, so the incremental
 * path of two writers and the full pass never overwrite each other.
 */
import { addressKey, canonicalAddress } from '../domain/ipam/addresses';
import { FINDING_TYPES, type Finding, type FindingStatus, type FindingType } from '../domain/ipam/findings';
import type { Page, Store } from '../ports/store';
import { stripKeys } from './entity';
import { eachItem } from './paging';

const key = (address: string, type: FindingType) => ({ pk: `IPFIND#${address}`, sk: type });

const item = (f: Finding) => {
  const tail = `${addressKey(f.address)}#${f.type}`;
  return {
    ...f,
    ...key(f.address, f.type),
    gsi1pk: 'KIND#IPFIND',
    gsi1sk: tail,
    gsi2pk: `IPFINDSTATUS#${f.status}`,
    gsi2sk: `${f.site_id}#${tail}`,
  };
};

/** The address and type an id names, or undefined for an id that cannot be a finding's. */
export function parseFindingId(id: string): { type: FindingType; address: string } | undefined {
  const type = FINDING_TYPES.find((t) => id.startsWith(`ipf-${t}-`));
  const address = type && canonicalAddress(id.slice(`ipf-${type}-`.length));
  return type && address ? { type, address } : undefined;
}

export async function findFinding(store: Store, id: string): Promise<Finding | undefined> {
  const parsed = parseFindingId(id);
  if (!parsed) return undefined;
  const found = await store.get(key(parsed.address, parsed.type));
  return found ? stripKeys<Finding>(found) : undefined;
}

/** Writes a new finding (version 1: only if absent) or a change (only if still at the version before). Throws ConditionFailedError. */
export async function putFinding(store: Store, f: Finding): Promise<void> {
  await store.put(item(f), f.version === 1 ? { kind: 'absent' } : { kind: 'version', version: f.version - 1 });
}

/** Every finding at one address (at most one per type). */
export async function findingsAt(store: Store, address: string): Promise<Finding[]> {
  const page = await store.query({ pk: `IPFIND#${address}`, limit: FINDING_TYPES.length });
  return page.items.map((i) => stripKeys<Finding>(i));
}

export type FindingQuery = { status?: FindingStatus; site_id?: string; address?: string };

/** A page of findings: at one address, in one status (optionally one site), or all, in address order. */
export async function listFindings(store: Store, q: FindingQuery, page: { limit: number; cursor?: string }): Promise<Page<Finding>> {
  const result = q.address
    ? await store.query({ pk: `IPFIND#${q.address}`, ...page })
    : q.status
      ? await store.query({ index: 'gsi2', pk: `IPFINDSTATUS#${q.status}`, ...(q.site_id ? { skPrefix: `${q.site_id}#` } : {}), ...page })
      : await store.query({ index: 'gsi1', pk: 'KIND#IPFIND', ...page });
  return { items: result.items.map((i) => stripKeys<Finding>(i)), cursor: result.cursor };
}

/** Every finding, page after page: for the full reconciliation pass. */
export const eachFinding = (store: Store) => eachItem((cursor) => listFindings(store, {}, { limit: 500, cursor }));
