import { describe, expect, it } from 'vitest';
import type { VCenterInstance } from '../../shared/domain/vcenter';
import { vcenterInstances } from '../../shared/records/vcenter';
import { vcenterApiHealth } from '../../shared/usecases/vcenter-health';
import { instanceRecord } from '../support/fake-vcenter';
import { ManualClock } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const MIN = 60_000;

function setup() {
  const store = new MemoryStore();
  const clock = new ManualClock();
  const ago = (min: number) => new Date(clock.now() - min * MIN).toISOString();
  const add = (id: string, fields: Partial<VCenterInstance> = {}) =>
    vcenterInstances.create(store, instanceRecord(id, ago(24 * 60), fields));
  return { store, clock, ago, add, health: () => vcenterApiHealth({ store, clock }) };
}

describe('vcenter_api health per instance', () => {
  it('no instances: ok, with an empty instances object', async () => {
    const { health } = setup();
    expect(await health()).toMatchObject({ status: 'ok', message: 'no vCenter instances registered', instances: {} });
  });

  it('one instance ages through ok, degraded past 30 min and critical past 2 h as the clock moves', async () => {
    const { add, ago, clock, health } = setup();
    await add('vc-001', {
      reachable: true,
      last_successful_sync_at: ago(0),
      last_sync: {
        id: 'sync-1',
        sync_type: 'delta',
        executed_type: 'delta',
        status: 'succeeded',
        started_at: ago(1),
        finished_at: ago(0),
        duration_ms: 60_000,
      },
    });
    const at = async (minutes: number) => {
      clock.advance(minutes * MIN);
      return (await health()).instances!['vc-001']!;
    };
    expect(await at(30)).toMatchObject({ status: 'ok', sync_age_minutes: 30, reachable: true, message: 'last successful sync 30 min ago' });
    const degraded = await at(1);
    expect(degraded).toMatchObject({ status: 'degraded', sync_age_minutes: 31 });
    expect(degraded.last_sync).toEqual({
      id: 'sync-1',
      type: 'delta',
      status: 'succeeded',
      finished_at: expect.any(String),
      error: null,
      attempts: null,
      next_attempt_at: null,
    });
    expect(await at(89)).toMatchObject({ status: 'degraded', sync_age_minutes: 120 });
    const critical = await at(1);
    expect(critical).toMatchObject({ status: 'critical', sync_age_minutes: 121, message: 'last successful sync 121 min ago' });
    const component = await health();
    expect(component.status).toBe('critical');
    expect(component.message).toContain('vc-001 critical: last successful sync 121 min ago');
  });

  it('unreachable is critical whatever the age, with the last contact error; the component is the worst instance', async () => {
    const { add, ago, health } = setup();
    const transport =
      'vCenter unreachable: Connection to vCenter https://vc-002.example/sdk failed during Login: connect ECONNREFUSED [ECONNREFUSED]';
    await add('vc-001', { reachable: true, last_successful_sync_at: ago(5) });
    await add('vc-002', {
      reachable: false,
      last_contact_error: transport,
      last_successful_sync_at: ago(2),
      last_sync: {
        id: 'sync-2',
        sync_type: 'full',
        status: 'failed',
        started_at: ago(3),
        finished_at: ago(2),
        error: transport,
        attempts: 3,
        max_attempts: 3,
      },
    });
    await add('vc-003', { reachable: true, last_successful_sync_at: ago(45) });
    const h = await health();
    expect(h.status).toBe('critical');
    expect(h.instances!['vc-001']).toMatchObject({ status: 'ok', reachable: true, sync_age_minutes: 5 });
    expect(h.instances!['vc-002']).toMatchObject({
      status: 'critical',
      reachable: false,
      sync_age_minutes: 2,
      message: `unreachable: ${transport}; last successful sync 2 min ago`,
      last_sync: { id: 'sync-2', type: 'full', status: 'failed', error: transport, attempts: 3 },
    });
    expect(h.instances!['vc-003']).toMatchObject({ status: 'degraded', sync_age_minutes: 45 });
    expect(h.message).toContain('vc-002 critical: unreachable');
    expect(h.message).toContain('vc-003 degraded: last successful sync 45 min ago');
    expect(h.message).not.toContain('vc-001');
  });

  it('never synced: ages from registration; a failed sync that got an answer names its error', async () => {
    const { add, ago, health } = setup();
    const refused =
      "vCenter https://vc-004.example/sdk refused the login of service identity 'si-vc' (InvalidLogin): check its username and password";
    await add('vc-004', {
      created_at: ago(10),
      reachable: true,
      last_sync: { id: 'sync-4', sync_type: 'full', status: 'failed', started_at: ago(1), finished_at: ago(1), error: refused },
    });
    await add('vc-005', { created_at: ago(40) });
    const h = await health();
    expect(h.instances!['vc-004']).toMatchObject({
      status: 'ok',
      sync_age_minutes: null,
      reachable: true,
      message: `never synced successfully (registered 10 min ago); last sync sync-4 failed: ${refused}`,
    });
    expect(h.instances!['vc-005']).toMatchObject({
      status: 'degraded',
      sync_age_minutes: null,
      reachable: null,
      last_sync: null,
      message: 'never synced successfully (registered 40 min ago)',
    });
    expect(h.status).toBe('degraded');
  });

  it('a run waiting for its next attempt says so', async () => {
    const { add, ago, clock, health } = setup();
    const next = new Date(clock.now() + 30_000).toISOString();
    await add('vc-006', {
      reachable: false,
      last_contact_error: 'vCenter unreachable: socket hang up',
      last_successful_sync_at: ago(20),
      last_sync: {
        id: 'sync-6',
        sync_type: 'delta',
        status: 'retrying',
        started_at: ago(1),
        error: 'vCenter unreachable: socket hang up',
        attempts: 1,
        max_attempts: 3,
        next_attempt_at: next,
      },
    });
    const i = (await health()).instances!['vc-006']!;
    expect(i.status).toBe('critical');
    expect(i.message).toBe(
      'unreachable: vCenter unreachable: socket hang up; last successful sync 20 min ago; ' +
        `sync run sync-6 retrying: attempt 1 failed, next attempt at ${next}`,
    );
    expect(i.last_sync).toMatchObject({ status: 'retrying', finished_at: null, attempts: 1, next_attempt_at: next });
  });
});
