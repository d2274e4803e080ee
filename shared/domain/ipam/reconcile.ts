/**
 * The reconciliation engine: from observations, allocations, the address plan and the stored findings to
 * the findings to write. `reconcileAddress` is the incremental path (one address, its observations
 * correlated among themselves); `reconcileAll` is the full pass (every observation correlated with every
 * other, so identities tied through other addresses count too, and conditions that cleared with time are
 * resolved). Pure: the callers read and write the store.
 */
import { addressKey } from './addresses';
import { correlate } from './correlation';
import { type AddressFacts, evaluateAddress, FINDING_TYPES, type Finding, type IpamSettings, nextFinding } from './findings';
import type { StoredObservation } from './observation';
import type { IpAllocation, SitePlan } from './plan';

/** The findings to write after evaluating one address: each new or changed one, with its version bumped. */
function changesAt(facts: AddressFacts, existing: readonly Finding[], now: number, settings: IpamSettings): Finding[] {
  const detections = evaluateAddress(facts, now, settings);
  if (!detections.length && !existing.length) return [];
  const nowIso = new Date(now).toISOString();
  const out: Finding[] = [];
  for (const type of FINDING_TYPES) {
    const next = nextFinding(
      existing.find((f) => f.type === type),
      detections.find((d) => d.type === type),
      nowIso,
    );
    if (next) out.push(next);
  }
  return out;
}

export type AddressInput = {
  address: string;
  observations: readonly StoredObservation[];
  allocation?: IpAllocation;
  plans: ReadonlyMap<string, SitePlan>;
  findings: readonly Finding[];
};

/** The incremental path: one address, after one of its observations was written. */
export function reconcileAddress(input: AddressInput, now: number, settings: IpamSettings): Finding[] {
  const { entityIds } = correlate(input.observations);
  const facts: AddressFacts = {
    address: input.address,
    key: addressKey(input.address),
    sightings: input.observations.map((o, i) => ({ o, entity: entityIds[i]! })),
    allocation: input.allocation,
    plans: input.plans,
  };
  return changesAt(facts, input.findings, now, settings);
}

export type FullInput = {
  observations: readonly StoredObservation[];
  allocations: readonly IpAllocation[];
  plans: ReadonlyMap<string, SitePlan>;
  findings: readonly Finding[];
};

export type FullResult = { changes: Finding[]; entities: number; addresses: number };

/** The full pass over everything stored. */
export function reconcileAll(input: FullInput, now: number, settings: IpamSettings): FullResult {
  const obs = input.observations;
  // Observations chained per address by index (head of each address, next of each observation): a million
  // observations make no object each, and most addresses are judged without building any.
  const groupOf = new Map<string, number>();
  const head: number[] = [];
  const next = new Int32Array(obs.length);
  // What the quick judgement below needs of each observation, read during correlation's one pass over them.
  const liveSince = new Date(now - settings.liveMs).toISOString();
  const live = new Uint8Array(obs.length);
  const planned = new Uint8Array(obs.length);
  const plannedSites = new Set([...input.plans].filter(([, plan]) => plan.prefixes.length).map(([site]) => site));
  const { entityIds, entities } = correlate(obs, (o, i) => {
    let g = groupOf.get(o.address);
    if (g === undefined) {
      g = head.length;
      groupOf.set(o.address, g);
      head.push(-1);
    }
    next[i] = head[g]!;
    head[g] = i;
    live[i] = o.last_seen >= liveSince ? 1 : 0;
    planned[i] = plannedSites.has(o.site_id) ? 1 : 0;
  });
  const allocationAt = new Map(input.allocations.map((a) => [a.address, a]));
  const findingsAt = new Map<string, Finding[]>();
  for (const f of input.findings) findingsAt.set(f.address, [...(findingsAt.get(f.address) ?? []), f]);

  /** One live entity at the address, no plan for its site, no allocation, no finding: nothing to say. */
  const nothingToSay = (first: number) => {
    let entity: string | undefined;
    for (let i = first; i >= 0; i = next[i]!) {
      if (!live[i]) continue;
      if (planned[i] || (entity !== undefined && entityIds[i] !== entity)) return false;
      entity = entityIds[i];
    }
    return true;
  };
  const changes: Finding[] = [];
  const judge = (address: string, first: number) => {
    const allocation = allocationAt.get(address);
    const existing = findingsAt.get(address) ?? [];
    if (!allocation && !existing.length && nothingToSay(first)) return;
    const sightings: AddressFacts['sightings'][number][] = [];
    for (let i = first; i >= 0; i = next[i]!) sightings.push({ o: obs[i]!, entity: entityIds[i]! });
    const facts = { address, key: addressKey(address), sightings, allocation, plans: input.plans };
    changes.push(...changesAt(facts, existing, now, settings));
  };
  for (const [address, g] of groupOf) judge(address, head[g]!);
  // Allocations nothing was seen at, and open findings whose address has nothing left (to resolve them).
  const rest = new Set([...allocationAt.keys(), ...input.findings.filter((f) => f.status !== 'resolved').map((f) => f.address)]);
  for (const address of rest) if (!groupOf.has(address)) judge(address, -1);
  return { changes, entities, addresses: groupOf.size + [...rest].filter((a) => !groupOf.has(a)).length };
}
