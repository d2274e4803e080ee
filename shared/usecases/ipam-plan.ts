/**
 * The address plan: prefixes with their ranges per site, and manual allocations with owner and purpose.
 * An allocation changes what one address is judged by, so its address is reconciled at once; a prefix
 * changes a whole range, so it queues a full pass.
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { addressKey, canonicalAddress, inPrefix, parsePrefix } from '../domain/ipam/addresses';
import type { IpAllocation, IpPrefix } from '../domain/ipam/plan';
import type { AllocationInput, IpRangeInput, PrefixCreate, PrefixUpdate, SiteFilter } from '../domain/ipam/schemas';
import type { Page } from '../ports/store';
import { checkAddress } from '../records/ipam-address-check';
import { ipAllocations, ipPrefixes } from '../records/ipam-plan';
import { references } from '../records/references';
import { siteRef, sites } from '../records/sites';
import type { Deps } from './deps';
import { requestIpamReconciliation } from './ipam-reconciliation';

type PlanDeps = Pick<Deps, 'store' | 'clock' | 'queue'>;

const prefixRef = (id: string) => ({ kind: 'IPPFX', id, label: 'prefix' });
const allocationRef = (address: string) => ({ kind: 'IPALLOC', id: address, label: 'allocation' });

async function requireSite(deps: PlanDeps, siteId: string, path: string) {
  if (!(await sites.exists(deps.store, siteId)))
    throw new ValidationError(`site '${siteId}' does not exist`, [{ path, message: `site '${siteId}' does not exist` }]);
}

/** Each range must lie inside its prefix and start before it ends. */
function checkRanges(cidr: string, ranges: IpRangeInput[], path: string) {
  const parsed = parsePrefix(cidr);
  if (!parsed.ok) return;
  const problems = ranges.flatMap((r, i) => {
    const [start, end] = [addressKey(r.start), addressKey(r.end)];
    if (!inPrefix(parsed.prefix, start) || !inPrefix(parsed.prefix, end))
      return [{ path: `${path}[${i}]`, message: `${r.start}–${r.end} is not inside ${cidr}` }];
    return start > end ? [{ path: `${path}[${i}]`, message: `${r.start} comes after ${r.end}` }] : [];
  });
  if (problems.length) throw new ValidationError(`Invalid body: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

export async function createPrefix(deps: PlanDeps, input: PrefixCreate): Promise<IpPrefix> {
  await requireSite(deps, input.site_id, 'body.site_id');
  checkRanges(input.cidr, input.ranges, 'body.ranges');
  const now = deps.clock.now();
  const record: IpPrefix = {
    id: input.id ?? newId('ip_prefix', now),
    site_id: input.site_id,
    cidr: input.cidr,
    ...(input.description ? { description: input.description } : {}),
    ranges: input.ranges,
    created_at: new Date(now).toISOString(),
    version: 1,
  };
  // The edge first, so the site cannot be deleted under a prefix being created (references.ts).
  await references.add(deps.store, siteRef(record.site_id), prefixRef(record.id));
  const created = await ipPrefixes.create(deps.store, record);
  await requestIpamReconciliation(deps, `prefix ${created.cidr} added`);
  return created;
}

export async function updatePrefix(deps: PlanDeps, id: string, input: PrefixUpdate): Promise<IpPrefix> {
  const updated = await ipPrefixes.update(
    deps.store,
    id,
    (p) => {
      if (input.ranges) checkRanges(p.cidr, input.ranges, 'body.ranges');
      return {
        ...p,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.ranges ? { ranges: input.ranges } : {}),
      };
    },
    input.version,
  );
  await requestIpamReconciliation(deps, `prefix ${updated.cidr} changed`);
  return updated;
}

export async function deletePrefix(deps: PlanDeps, id: string): Promise<void> {
  const prefix = await ipPrefixes.get(deps.store, id);
  await ipPrefixes.remove(deps.store, prefix);
  await references.remove(deps.store, siteRef(prefix.site_id), prefixRef(id));
  await requestIpamReconciliation(deps, `prefix ${prefix.cidr} deleted`);
}

export const getPrefix = (deps: PlanDeps, id: string) => ipPrefixes.get(deps.store, id);

export async function listPrefixes(deps: PlanDeps, q: SiteFilter, page: { limit: number; cursor?: string }) {
  if (!q.site_id) return ipPrefixes.list(deps.store, page);
  // A site has few prefixes: one page holds them all.
  return { items: await ipPrefixes.ofSite(deps.store, q.site_id) } satisfies Page<IpPrefix>;
}

/** Creates the allocation, or replaces the one at its address (the CSV import's upsert); reconciles the address. */
export async function putAllocation(
  deps: PlanDeps,
  input: AllocationInput,
  actor: string,
  opts: { replace: boolean },
): Promise<IpAllocation> {
  const existing = await ipAllocations.find(deps.store, input.address);
  const now = new Date(deps.clock.now()).toISOString();
  const base = { id: input.address, ...input, ...(input.hostname ? {} : { hostname: undefined }) };
  let saved: IpAllocation;
  if (!existing || !opts.replace) {
    await references.add(deps.store, siteRef(input.site_id), allocationRef(input.address));
    saved = await ipAllocations.create(deps.store, { ...base, created_at: now, created_by: actor, version: 1 });
  } else {
    if (existing.site_id !== input.site_id) await references.add(deps.store, siteRef(input.site_id), allocationRef(input.address));
    saved = await ipAllocations.replace(deps.store, { ...existing, ...base, version: existing.version + 1 });
    if (existing.site_id !== input.site_id) await references.remove(deps.store, siteRef(existing.site_id), allocationRef(input.address));
  }
  await checkAddress(deps.store, saved.address, deps.clock.now());
  return saved;
}

export async function createAllocation(deps: PlanDeps, input: AllocationInput, actor: string): Promise<IpAllocation> {
  await requireSite(deps, input.site_id, 'body.site_id');
  return putAllocation(deps, input, actor, { replace: false });
}

export async function getAllocation(deps: PlanDeps, address: string): Promise<IpAllocation> {
  const canonical = canonicalAddress(address);
  const found = canonical && (await ipAllocations.find(deps.store, canonical));
  if (!found) throw new NotFoundError('allocation', address);
  return found;
}

export async function releaseAllocation(deps: PlanDeps, address: string): Promise<void> {
  const allocation = await getAllocation(deps, address);
  await ipAllocations.remove(deps.store, allocation);
  await references.remove(deps.store, siteRef(allocation.site_id), allocationRef(allocation.address));
  await checkAddress(deps.store, allocation.address, deps.clock.now());
}

export function listAllocations(deps: PlanDeps, q: SiteFilter, page: { limit: number; cursor?: string }) {
  return q.site_id ? ipAllocations.ofSite(deps.store, q.site_id, page) : ipAllocations.list(deps.store, page);
}
