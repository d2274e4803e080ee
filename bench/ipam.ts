/**
 * IPAM reconciliation benchmark (issue 15).
 *
 *   npm run bench:ipam -- [--entities 100000] [--per-entity 10] [--runs 3] [--incremental 20000] [--stored 100000] [--lookups 2000]
 *
 * 1. Full pass: the reconciliation engine (domain/ipam/reconcile.ts `reconcileAll`) over --entities ×
 *    --per-entity observations fed from memory (1,000,000 of 100,000 entities by default: servers seen by
 *    vCenter, their iDRAC, discovery and DHCP; VMs with IPv4 and IPv6 NICs seen by vCenter, DHCP and a CMDB;
 *    other devices seen by discovery and DHCP; 1 % of VMs sharing an address with another). Wall and CPU time
 *    of the pass on one core (the engine is synchronous), first with no stored findings, then again with the
 *    first pass's findings stored (steady state: nothing to write). Target ≤ 2 s.
 * 2. Incremental path: --incremental observation writes (`recordObservation`, which reconciles the address)
 *    into a hash-partitioned in-memory store (bench/support/partitioned-store.ts) already holding the
 *    generated observations: store operations per observation by kind, and CPU per observation (EIO's code
 *    plus the in-memory store; DynamoDB's round trips come on top), for new observations and for ones seen again.
 * 3. Address lookup on the local stack: --stored observations bulk-loaded into the embedded DynamoDB, then
 *    --lookups sequential `GET /api/v1/ipam/observations?address=` over HTTP with a token, random addresses:
 *    p50, p95, p99, max. Target p99 ≤ 25 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { canonicalAddress } from '../shared/domain/ipam/addresses';
import type { IpamSettings } from '../shared/domain/ipam/findings';
import { type IpObservation, type StoredObservation, withIdentity } from '../shared/domain/ipam/observation';
import { reconcileAll } from '../shared/domain/ipam/reconcile';
import { observationItems } from '../shared/records/ip-observation-item';
import { recordObservation } from '../shared/records/ip-observations';
import { PartitionedStore } from './support/partitioned-store';

const { values: args } = parseArgs({
  options: {
    entities: { type: 'string', default: '100000' },
    'per-entity': { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    incremental: { type: 'string', default: '20000' },
    stored: { type: 'string', default: '100000' },
    lookups: { type: 'string', default: '2000' },
  },
});
const num = (k: keyof typeof args) => {
  const n = Number(args[k]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer, got ${args[k]}`);
  return n;
};

const BASE = Date.parse('2026-12-05T00:00:00Z');
const NOW = BASE + 3_600_000;
const SETTINGS: IpamSettings = { liveMs: 26 * 3_600_000, staleAllocationMs: 30 * 86_400_000 };
const iso = (t: number) => new Date(t).toISOString();
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const uuid = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;
const mac = (kind: number, n: number, port: number) =>
  [2, kind, (n >> 16) & 255, (n >> 8) & 255, n & 255, port].map((b) => hex(b, 2)).join(':');
const v4 = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const v6 = (n: number) => canonicalAddress(`2001:db8:${hex((n >> 16) & 0xffff, 1)}::${hex(n & 0xffff, 1)}`)!;

/**
 * `per-entity` observations of each entity (10 by default; other values repeat or cut the entity's list).
 * Every 100th VM reports its first address equal to the previous VM's: duplicate_usage.
 */
function generate(entities: number, perEntity: number): StoredObservation[] {
  const out: StoredObservation[] = [];
  let address = 0;
  let lastVmAddress = '';
  const seen = (i: number) => {
    const last = BASE + 60_000 * (30 + (i % 30));
    return { first_seen: iso(BASE), last_seen: iso(last), site_id: `site-${i % 8}` };
  };
  for (let i = 0; i < entities; i++) {
    const t = seen(i);
    const list: IpObservation[] = [];
    const kind = i % 10;
    if (kind < 2) {
      const [a0, a1, a2, a3] = [v4(address++), v4(address++), v4(address++), v4(address++)];
      const ids = { system_uuid: uuid(1, i), service_tag: `T${i.toString(36).toUpperCase()}` };
      const host = {
        source: 'vcenter' as const,
        source_ref: `vc-${i % 4}/host-${i}`,
        entity_kind: 'host',
        entity_ref: `vc-${i % 4}/host-${i}`,
        hardware_ids: ids,
      };
      const nic = { source: 'idrac' as const, source_ref: 'discovery', entity_kind: 'nic', hardware_ids: ids };
      list.push(
        ...[a0, a1, a2].map((a, p) => ({ ...t, ...host, address: a!, mac: mac(1, i, p) })),
        ...[a0, a1, a2].map((a, p) => ({ ...t, ...nic, address: a!, entity_ref: `idrac-${i}/NIC.${p}`, mac: mac(1, i, p) })),
        {
          ...t,
          source: 'idrac',
          source_ref: 'discovery',
          entity_kind: 'idrac',
          entity_ref: `idrac-${i}`,
          address: a3!,
          mac: mac(1, i, 9),
          hardware_ids: ids,
        },
        { ...t, source: 'discovery', source_ref: 'sweep', entity_kind: 'device', entity_ref: `dev-${a3}`, address: a3!, mac: mac(1, i, 9) },
        { ...t, source: 'dhcp', source_ref: 'dhcp-1', entity_kind: 'device', entity_ref: `lease-${a0}`, address: a0!, mac: mac(1, i, 0) },
        { ...t, source: 'manual', source_ref: 'cmdb', entity_kind: 'host', entity_ref: `cmdb/srv-${i}`, address: a3!, hardware_ids: ids },
      );
    } else if (kind === 2) {
      const addrs = Array.from({ length: 5 }, () => v4(address++));
      // One interface with several addresses: one MAC ties them.
      for (const a of addrs) {
        list.push({
          ...t,
          source: 'discovery',
          source_ref: 'sweep',
          entity_kind: 'device',
          entity_ref: `dev-${a}`,
          address: a,
          mac: mac(3, i, 0),
        });
        list.push({
          ...t,
          source: 'dhcp',
          source_ref: 'dhcp-1',
          entity_kind: 'device',
          entity_ref: `lease-${a}`,
          address: a,
          mac: mac(3, i, 0),
        });
      }
    } else {
      const four = [v4(address++), v4(address++), v4(address++)];
      if (i % 100 === 3 && lastVmAddress) four[0] = lastVmAddress;
      lastVmAddress = four[0]!;
      const six = [v6(address++), v6(address++)];
      const ids = { instance_uuid: uuid(2, i), vm_uuid: uuid(3, i) };
      const vm = {
        source: 'vcenter' as const,
        source_ref: `vc-${i % 4}/vm-${i}`,
        entity_kind: 'vm',
        entity_ref: `vc-${i % 4}/vm-${i}`,
        hardware_ids: ids,
      };
      list.push(
        ...[...four, ...six].map((a, p) => ({ ...t, ...vm, address: a, mac: mac(2, i, p % 3) })),
        ...four.map((a, p) => ({
          ...t,
          source: 'dhcp' as const,
          source_ref: 'dhcp-1',
          entity_kind: 'device',
          entity_ref: `lease-${a}-${i}`,
          address: a,
          mac: mac(2, i, p),
        })),
        ...six.map((a) => ({
          ...t,
          source: 'manual' as const,
          source_ref: 'cmdb',
          entity_kind: 'vm',
          entity_ref: `cmdb/vm-${i}`,
          address: a,
          hardware_ids: ids,
        })),
      );
    }
    for (let k = 0; k < perEntity; k++) out.push(withIdentity(list[k % list.length]!));
  }
  return out;
}

const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

function fullPass(observations: StoredObservation[], runs: number) {
  console.log(`\n== Full pass: ${observations.length.toLocaleString()} observations ==`);
  const findings = reconcileAll({ observations, allocations: [], plans: new Map(), findings: [] }, NOW, SETTINGS).changes;
  for (const [label, stored] of [
    ['no stored findings', []],
    ['steady state (findings stored)', findings],
  ] as const) {
    const walls: number[] = [];
    const cpu: number[] = [];
    let result = reconcileAll({ observations, allocations: [], plans: new Map(), findings: stored }, NOW, SETTINGS);
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      result = reconcileAll({ observations, allocations: [], plans: new Map(), findings: stored }, NOW, SETTINGS);
      walls.push(performance.now() - t0);
      cpu.push(cpuMs(c0));
    }
    console.log(
      `${label}: entities ${result.entities.toLocaleString()}, addresses ${result.addresses.toLocaleString()}, ` +
        `findings to write ${result.changes.length}; wall ${walls.map(fmt).join(' / ')} (median ${fmt(median(walls))}), ` +
        `CPU ${cpu.map(fmt).join(' / ')}`,
    );
  }
}

async function incremental(observations: StoredObservation[], writes: number) {
  console.log(
    `\n== Incremental path: ${writes.toLocaleString()} observation writes into a store holding ${observations.length.toLocaleString()} ==`,
  );
  const store = new PartitionedStore();
  for (let i = 0; i < observations.length; i += 500) await store.putMany(observations.slice(i, i + 500).flatMap(observationItems));
  const fresh = generate(Math.ceil(writes / 10), 10).slice(0, writes);
  for (const [label, batch] of [
    ['new observations', fresh.map((o, i) => ({ ...o, address: o.address.replace(/^10\./, '11.'), source_ref: `new-${i}` }))],
    ['seen again', fresh.map((o) => ({ ...o, address: o.address.replace(/^10\./, '11.'), last_seen: iso(NOW) }))],
  ] as const) {
    store.resetCalls();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const { first_seen: _f, key: _k, ids: _i, entity_id: _e, ...o } of batch) await recordObservation(store, o);
    const cpu = cpuMs(c0);
    const wall = performance.now() - t0;
    const perKind = Object.entries(store.calls)
      .map(([k, n]) => `${k} ${(n / batch.length).toFixed(2)}`)
      .join(', ');
    console.log(
      `${label}: ${(store.totalCalls() / batch.length).toFixed(2)} store operations per observation (${perKind}); ` +
        `CPU ${((cpu * 1000) / batch.length).toFixed(0)} µs per observation; wall ${fmt(wall)}`,
    );
  }
}

async function lookups(stored: number, count: number) {
  console.log(`\n== Address lookup on the local stack: ${stored.toLocaleString()} stored observations ==`);
  const dataDir = await mkdtemp(join(tmpdir(), 'eio-bench-ipam-'));
  const { startLocalStack } = await import('../infra/local/stack');
  const stack = await startLocalStack({ dataDir, port: 0, demo: false, demoIdracs: false });
  try {
    const observations = generate(Math.ceil(stored / 10), 10).slice(0, stored);
    const t0 = performance.now();
    const chunks: StoredObservation[][] = [];
    for (let i = 0; i < observations.length; i += 250) chunks.push(observations.slice(i, i + 250));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < chunks.length) await stack.deps.store.putMany(chunks[next++]!.flatMap(observationItems));
      }),
    );
    console.log(`loaded in ${fmt(performance.now() - t0)}`);
    const token = await stack.issueToken({ role: 'viewer', subject: 'bench-viewer', ttlSeconds: 3600 });
    const addresses = [...new Set(observations.map((o) => o.address))];
    let seed = 42;
    const pick = () => addresses[(seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % addresses.length]!;
    const get = async (address: string) => {
      const res = await fetch(`${stack.baseUrl}/api/v1/ipam/observations?address=${encodeURIComponent(address)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { items: unknown[] };
      if (res.status !== 200 || !body.items.length) throw new Error(`lookup of ${address}: ${res.status}`);
    };
    for (let i = 0; i < 100; i++) await get(pick());
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await get(pick());
      times.push(performance.now() - t);
    }
    console.log(
      `${count} lookups: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, ` +
        `p99 ${percentile(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
    );
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
// The lookups first, while this process's heap is small: the million observations' garbage collections would show in them.
await lookups(num('stored'), num('lookups'));
const t0 = performance.now();
const observations = generate(num('entities'), num('per-entity'));
console.log(`generated ${observations.length.toLocaleString()} observations in ${fmt(performance.now() - t0)}`);
fullPass(observations, num('runs'));
await incremental(observations, num('incremental'));
