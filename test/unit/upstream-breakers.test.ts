/**
 * Circuit breakers shared across containers through the store: transitions reach the board (and the API's
 * view), an admin's reset closes the board's record and, read back, the open breaker of every container.
 * Each upstream also shows the limits its client enforces, read from the config the clients are built with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokenCircuitError, UpstreamPolicies } from '../../shared/adapters/upstream-policies';
import { type ServiceAdapters, withDeviceClients } from '../../shared/composition/common-deps';
import { resetConfig } from '../../shared/config';
import { systemClock } from '../../shared/ports/clock';
import type { BreakerBoard } from '../../shared/ports/upstream-breakers';
import { storeBreakerBoard, upstreamBreakers, writeBreaker } from '../../shared/records/upstream-breakers';
import { vcenterInstances } from '../../shared/records/vcenter';
import { listUpstreams, resetUpstream } from '../../shared/usecases/upstreams';
import { FakeVCenter, instanceRecord } from '../support/fake-vcenter';
import { MemoryStore } from '../support/memory-store';
import { waitFor } from '../support/wait';
import { FakeIdrac } from './fake-idrac';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One container's breaker for iDRAC 10.0.0.9: opens after two failures, half-opens only after an hour. */
const container = (board: BreakerBoard) =>
  new UpstreamPolicies({
    kind: 'iDRAC',
    logAs: { idrac: '10.0.0.9' },
    log: silent,
    maxConcurrent: 2,
    maxQueued: 2,
    retries: 0,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 1,
    countsAsFailure: () => true,
    breakerThreshold: 2,
    breakerHalfOpenAfterMs: 3_600_000,
    shared: board.for('idrac', '10.0.0.9'),
  });

const fail = async () => {
  throw new Error('connect ECONNREFUSED');
};
const ok = async () => 'answered';

describe('circuit breakers on the shared board', () => {
  it('an opened breaker shows on the board; a reset closes it there and in every container', async () => {
    const store = new MemoryStore();
    const deps = { store, clock: systemClock, idrac: new FakeIdrac(), vcenter: new FakeVCenter() };
    const errors: unknown[] = [];
    const board = storeBreakerBoard(store, systemClock, (e) => errors.push(e));
    const a = container(board);
    const b = container(board);

    for (let i = 0; i < 2; i++) await expect(a.execute('guarded', fail)).rejects.toThrow('ECONNREFUSED');
    await expect(a.execute('guarded', ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    const [open] = await waitFor('the open breaker on the board', async () => {
      const list = await listUpstreams(deps, { kind: 'idrac' });
      return list[0]?.breaker.state === 'open' ? list : undefined;
    });
    expect(open).toMatchObject({
      id: 'idrac:10.0.0.9',
      kind: 'idrac',
      key: '10.0.0.9',
      breaker: { state: 'open', consecutive_failures: 2, last_failure: 'connect ECONNREFUSED', reset_at: null },
    });
    expect(Date.parse(open!.breaker.next_attempt_at!)).toBeGreaterThan(Date.now() + 3_000_000);
    // Another container never failed: its own breaker lets calls through.
    await expect(b.execute('guarded', ok)).resolves.toBe('answered');

    const reset = await resetUpstream(deps, 'idrac:10.0.0.9', 'alice');
    expect(reset.breaker).toMatchObject({ state: 'closed', consecutive_failures: 0, next_attempt_at: null, reset_by: 'alice' });
    // Container A read the reset back before refusing: its call went out.
    await expect(a.execute('guarded', ok)).resolves.toBe('answered');
    expect(a.status().breaker).toBe('closed');
    expect((await listUpstreams(deps, { state: 'open' })).map((u) => u.id)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an open breaker stays open when no reset came after it opened; unknown upstreams are 404, bad ids 400', async () => {
    const store = new MemoryStore();
    const deps = { store, clock: systemClock, idrac: new FakeIdrac(), vcenter: new FakeVCenter() };
    const a = container(storeBreakerBoard(store, systemClock, () => undefined));
    for (let i = 0; i < 2; i++) await expect(a.execute('guarded', fail)).rejects.toThrow();
    await expect(a.execute('guarded', ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    await expect(a.execute('guarded', ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    await expect(resetUpstream(deps, 'idrac:10.0.0.10', 'alice')).rejects.toMatchObject({ status: 404 });
    await expect(resetUpstream(deps, 'vcenter:vc-none', 'alice')).rejects.toMatchObject({ status: 404 });
    await expect(resetUpstream(deps, 'switch:1', 'alice')).rejects.toMatchObject({ status: 400 });
  });
});

describe('the board keeps the order a container saw', () => {
  it('half-open then open reported at once: the board ends open, whichever write the store answers first', async () => {
    // The first read of the board is held until both transitions are reported, so written side by side the
    // open write would land first and the half-open one over it.
    class HeldFirstRead extends MemoryStore {
      private held: Promise<void> | undefined;
      release: () => void = () => undefined;
      override async get(...args: Parameters<MemoryStore['get']>) {
        if (!this.held) {
          this.held = new Promise((resolve) => (this.release = resolve));
          await this.held;
        }
        return super.get(...args);
      }
    }
    const store = new HeldFirstRead();
    const errors: unknown[] = [];
    const breaker = storeBreakerBoard(store, systemClock, (e) => errors.push(e)).for('vcenter', 'vc-1');
    breaker.transitioned({ state: 'half-open', consecutiveFailures: 3 });
    breaker.transitioned({ state: 'open', consecutiveFailures: 4, nextAttemptAt: new Date(Date.now() + 30_000) });
    await new Promise((resolve) => setImmediate(resolve)); // everything not held by the read has run
    store.release();
    const board = await waitFor('both transitions on the board', async () => {
      const item = await store.get(upstreamBreakers.key('vcenter:vc-1'));
      return item?.version === 2 ? item : undefined;
    });
    expect(board).toMatchObject({ state: 'open', consecutive_failures: 4 });
    expect(errors).toEqual([]);
  });
});

describe('limits per upstream', () => {
  const ENV = {
    IDRAC_CONNECT_TIMEOUT_MS: '1234',
    IDRAC_HEADERS_TIMEOUT_MS: '4321',
    VCENTER_BREAKER_THRESHOLD: '7',
    VCENTER_BREAKER_HALF_OPEN_SECONDS: '12',
  };
  afterEach(() => {
    for (const k of Object.keys(ENV)) delete process.env[k];
    resetConfig();
  });

  it('each upstream shows what the clients the composition root builds from config enforce', async () => {
    Object.assign(process.env, ENV);
    resetConfig();
    const store = new MemoryStore();
    const d = withDeviceClients({ store } as unknown as ServiceAdapters);
    try {
      await vcenterInstances.create(store, instanceRecord('vc-001', '2026-11-23T10:00:00.000Z'));
      await writeBreaker(store, 'idrac', '10.0.0.9', (r) => ({ ...r, state: 'open', consecutive_failures: 5 }));
      const byKind = Object.fromEntries((await listUpstreams(d, {})).map((u) => [u.kind, u.limits]));
      expect(byKind.idrac).toEqual({
        max_concurrent_requests: 2,
        max_queued_requests: 64,
        retries: 2,
        retry_max_delay_ms: 4_000,
        connect_timeout_ms: 1234,
        response_timeout_ms: 4321,
        breaker: { failure_threshold: 5, half_open_after_ms: 30_000 },
      });
      expect(byKind.vcenter).toEqual({
        max_concurrent_requests: 4,
        max_queued_requests: 64,
        retries: 2,
        retry_max_delay_ms: 5_000,
        connect_timeout_ms: 10_000,
        response_timeout_ms: 60_000,
        breaker: { failure_threshold: 7, half_open_after_ms: 12_000 },
        max_property_collectors: 2,
      });
    } finally {
      await d.idrac.dispose();
    }
  });
});
