/**
 * IPAM findings: what is wrong at one address, and the finding's lifecycle.
 *   duplicate_usage    two different entities live on the address with overlapping seen windows
 *   unallocated_usage  a live address inside a site prefix, in none of its ranges, with no allocation
 *   out_of_prefix      a live address at a site that has prefixes, none of which holds it
 *   stale_allocation   an allocation nothing has been seen at for the stale period
 * Lifecycle: open → acknowledged → resolved (an explanation is required) → reopened when the condition is
 * seen again after the resolution; a condition that clears resolves its finding on its own (resolved_by
 * `eio`). Pure: the incremental path (one address) and the full pass (every address) both call it.
 */
import { ConflictError } from '../errors';
import { isLinkScoped } from './addresses';
import type { IpObservation } from './observation';
import { type IpAllocation, placeInPlan, type SitePlan } from './plan';

export const FINDING_TYPES = ['duplicate_usage', 'unallocated_usage', 'out_of_prefix', 'stale_allocation'] as const;
export type FindingType = (typeof FINDING_TYPES)[number];
export const FINDING_STATUSES = ['open', 'acknowledged', 'resolved', 'reopened'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Who resolves a finding whose condition cleared. */
export const SYSTEM_ACTOR = 'eio';

/** One entity involved in a finding: its correlated id and how it was seen at the address. */
export type FindingEntity = {
  id: string;
  kinds: string[];
  /** `<source>/<entity_ref>` of each observation. */
  seen_as: string[];
  first_seen: string;
  last_seen: string;
};

/** What an evaluation found at one address. `evidence_at`: when the condition was last shown (reopen only on newer evidence). */
export type Detection = {
  type: FindingType;
  address: string;
  site_id: string;
  entities: FindingEntity[];
  detail: string;
  evidence_at: string;
};

export type Finding = Omit<Detection, 'evidence_at'> & {
  id: string;
  status: FindingStatus;
  detected_at: string;
  changed_at: string;
  last_evidence_at: string;
  times_reopened: number;
  acknowledged_by?: string;
  acknowledged_at?: string;
  resolved_by?: string;
  resolved_at?: string;
  resolution?: string;
  version: number;
};

export const findingId = (type: FindingType, address: string) => `ipf-${type}-${address}`;

export type IpamSettings = {
  /** An observation counts as live this long after it was last seen, and two windows this far apart still overlap. */
  liveMs: number;
  /** An allocation with nothing seen at it for this long is stale. */
  staleAllocationMs: number;
};

/** A correlated observation: `entity` is the entity it belongs to. */
export type Sighting = { o: IpObservation; entity: string };

/** Everything known about one address. */
export type AddressFacts = {
  address: string;
  key: string;
  sightings: readonly Sighting[];
  allocation?: Pick<IpAllocation, 'site_id' | 'created_at' | 'owner'>;
  /** The plan of each site the address was seen at or allocated in. */
  plans: ReadonlyMap<string, SitePlan>;
};

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

/** What is wrong at the address now. */
export function evaluateAddress(facts: AddressFacts, now: number, s: IpamSettings): Detection[] {
  const out: Detection[] = [];
  // Timestamps are ISO 8601 in UTC as toISOString writes them, so they compare as strings.
  const liveSince = iso(now - s.liveMs);
  // In site order, so the site a finding names does not depend on the order the store returned them in.
  const live = facts.sightings.filter((x) => x.o.last_seen >= liveSince).sort((a, b) => (a.o.site_id < b.o.site_id ? -1 : 1));
  const judged = !isLinkScoped(facts.address);
  if (judged && live.length) {
    const duplicate = severalEntities(live) && duplicateUsage(facts.address, live, s);
    if (duplicate) out.push(duplicate);
    const site = live[0]!.o.site_id;
    const plan = facts.plans.get(site);
    if (plan?.prefixes.length) {
      const evidence = latest(live.map((x) => x.o.last_seen));
      const placed = placeInPlan(plan, facts.key);
      const entities = entitiesOf(live);
      if (!placed.prefix)
        out.push({
          type: 'out_of_prefix',
          address: facts.address,
          site_id: site,
          entities,
          detail: `${facts.address} is in use at site '${site}' but in none of its prefixes`,
          evidence_at: evidence,
        });
      else if (!placed.inRange && !facts.allocation)
        out.push({
          type: 'unallocated_usage',
          address: facts.address,
          site_id: site,
          entities,
          detail: `${facts.address} is in use in ${placed.prefix.cidr} without an allocation`,
          evidence_at: evidence,
        });
    }
  }
  const stale = facts.allocation && staleAllocation(facts, now, s);
  if (stale) out.push(stale);
  return out;
}

/** Most addresses have one entity: said without building anything. */
function severalEntities(live: readonly Sighting[]): boolean {
  for (let i = 1; i < live.length; i++) if (live[i]!.entity !== live[0]!.entity) return true;
  return false;
}

function duplicateUsage(address: string, live: readonly Sighting[], s: IpamSettings): Detection | undefined {
  const groups = entitiesOf(live);
  if (groups.length < 2) return undefined;
  const involved = new Set<FindingEntity>();
  let evidence = '';
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++) {
      const [a, b] = [groups[i]!, groups[j]!];
      const overlap = ms(a.first_seen) <= ms(b.last_seen) + s.liveMs && ms(b.first_seen) <= ms(a.last_seen) + s.liveMs;
      if (!overlap) continue;
      involved.add(a).add(b);
      // Evidence of the pair is when both were last seen: the earlier of their last sightings.
      const both = [a.last_seen, b.last_seen].sort()[0]!;
      if (both > evidence) evidence = both;
    }
  if (involved.size < 2) return undefined;
  const entities = [...involved];
  return {
    type: 'duplicate_usage',
    address,
    site_id: live[0]!.o.site_id,
    entities,
    detail: `${address} is used by ${entities.length} different entities: ${entities.map((e) => e.id).join(', ')}`,
    evidence_at: evidence,
  };
}

function staleAllocation(facts: AddressFacts, now: number, s: IpamSettings): Detection | undefined {
  const allocation = facts.allocation!;
  const lastSeen = latest(facts.sightings.map((x) => x.o.last_seen));
  const since = lastSeen && lastSeen > allocation.created_at ? lastSeen : allocation.created_at;
  const staleAt = ms(since) + s.staleAllocationMs;
  if (staleAt > now) return undefined;
  return {
    type: 'stale_allocation',
    address: facts.address,
    site_id: allocation.site_id,
    entities: [],
    detail: lastSeen
      ? `${facts.address} is allocated to ${allocation.owner} but nothing has been seen at it since ${lastSeen}`
      : `${facts.address} is allocated to ${allocation.owner} but nothing has ever been seen at it`,
    evidence_at: iso(staleAt),
  };
}

/** The observations grouped by entity, in id order. */
function entitiesOf(sightings: readonly Sighting[]): FindingEntity[] {
  const byId = new Map<string, FindingEntity>();
  for (const { o, entity } of sightings) {
    const e = byId.get(entity);
    const seenAs = `${o.source}/${o.entity_ref}`;
    if (!e) {
      byId.set(entity, { id: entity, kinds: [o.entity_kind], seen_as: [seenAs], first_seen: o.first_seen, last_seen: o.last_seen });
      continue;
    }
    if (!e.kinds.includes(o.entity_kind)) e.kinds.push(o.entity_kind);
    if (!e.seen_as.includes(seenAs)) e.seen_as.push(seenAs);
    if (o.first_seen < e.first_seen) e.first_seen = o.first_seen;
    if (o.last_seen > e.last_seen) e.last_seen = o.last_seen;
  }
  for (const e of byId.values()) {
    e.kinds.sort();
    e.seen_as.sort();
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

const latest = (times: string[]) => times.sort().at(-1) ?? '';

const sameEntities = (a: FindingEntity[], b: FindingEntity[]) =>
  a.length === b.length && a.every((e, i) => e.id === b[i]!.id && e.seen_as.join() === b[i]!.seen_as.join());

/**
 * The finding after an evaluation, or undefined when nothing needs writing: new conditions open a finding,
 * a changed one updates it, a cleared one resolves it, and a resolved one reopens on evidence newer than its
 * resolution. Unchanged conditions write nothing, so re-observing a known state costs no write.
 */
export function nextFinding(existing: Finding | undefined, detection: Detection | undefined, now: string): Finding | undefined {
  if (!existing) {
    if (!detection) return undefined;
    const { evidence_at, ...rest } = detection;
    return {
      ...rest,
      id: findingId(detection.type, detection.address),
      status: 'open',
      detected_at: now,
      changed_at: now,
      last_evidence_at: evidence_at,
      times_reopened: 0,
      version: 1,
    };
  }
  const bump = { version: existing.version + 1, changed_at: now };
  if (!detection) {
    if (existing.status === 'resolved') return undefined;
    return { ...existing, ...bump, status: 'resolved', resolved_by: SYSTEM_ACTOR, resolved_at: now, resolution: 'the condition cleared' };
  }
  const { evidence_at, ...seen } = detection;
  if (existing.status === 'resolved') {
    if (!existing.resolved_at || evidence_at <= existing.resolved_at) return undefined;
    const { acknowledged_by: _a, acknowledged_at: _t, ...rest } = existing;
    return { ...rest, ...seen, ...bump, status: 'reopened', last_evidence_at: evidence_at, times_reopened: existing.times_reopened + 1 };
  }
  if (sameEntities(existing.entities, seen.entities) && existing.detail === seen.detail) return undefined;
  return { ...existing, ...seen, ...bump, last_evidence_at: evidence_at };
}

/** An operator takes the finding on. Acknowledging twice is a no-op. */
export function acknowledge(f: Finding, actor: string, now: string): Finding {
  if (f.status === 'resolved') throw new ConflictError(`finding '${f.id}' is resolved; it reopens by itself if the condition returns`);
  if (f.status === 'acknowledged') return f;
  return { ...f, status: 'acknowledged', acknowledged_by: actor, acknowledged_at: now, changed_at: now, version: f.version + 1 };
}

/** An operator resolves the finding, saying why (the runbook: "mark finding as resolved with explanation"). */
export function resolve(f: Finding, actor: string, explanation: string, now: string): Finding {
  if (f.status === 'resolved') throw new ConflictError(`finding '${f.id}' is already resolved`);
  return {
    ...f,
    status: 'resolved',
    resolved_by: actor,
    resolved_at: now,
    resolution: explanation,
    changed_at: now,
    version: f.version + 1,
  };
}
