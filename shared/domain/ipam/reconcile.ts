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
  const { entityIds, entities } = correlate(input.observations);
  const byAddress = new Map<string, AddressFacts>();
  const factsOf = (address: string, key: string) => {
    let facts = byAddress.get(address);
    if (!facts) {
      facts = { address, key, sightings: [], plans: input.plans };
      byAddress.set(address, facts);
    }
    return facts;
  };
  input.observations.forEach((o, i) => {
    (factsOf(o.address, o.key).sightings as AddressFacts['sightings'][number][]).push({ o, entity: entityIds[i]! });
  });
  for (const a of input.allocations) factsOf(a.address, addressKey(a.address)).allocation = a;
  const findingsAt = new Map<string, Finding[]>();
  for (const f of input.findings) {
    const list = findingsAt.get(f.address);
    if (list) list.push(f);
    else findingsAt.set(f.address, [f]);
    // An open finding whose address has nothing left must still be looked at, to resolve it.
    if (f.status !== 'resolved') factsOf(f.address, addressKey(f.address));
  }
  const changes: Finding[] = [];
  for (const facts of byAddress.values()) changes.push(...changesAt(facts, findingsAt.get(facts.address) ?? [], now, settings));
  return { changes, entities, addresses: byAddress.size };
}
