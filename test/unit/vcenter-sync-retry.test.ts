import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificatePinMismatchError,
  InvalidLoginFault,
  VSphereCircuitOpenError,
  VSphereClients,
  VSphereTimeoutError,
  VSphereTransportError,
} from '../../shared/adapters/vsphere';
import { config, resetConfig } from '../../shared/config';
import { SiteCreate } from '../../shared/domain/site';
import { VCenterInstanceCreate } from '../../shared/domain/vcenter';
import type { Queue } from '../../shared/ports/queue';
import { syncRuns, vcenterInstances } from '../../shared/records/vcenter';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { createVcenterInstance } from '../../shared/usecases/vcenter-instances';
import { requestSync } from '../../shared/usecases/vcenter-sync-requests';
import { classifySyncFailure, isStaleAttempt, retryDelaySeconds } from '../../shared/usecases/vcenter-sync-retry';
import { executeSync } from '../../shared/usecases/vcenter-sync-run';
import { ManualClock, RecordingQueue, unitDeps } from '../support/fakes';

const instance = { id: 'vc-001', url: 'https://vc.example/sdk', service_identity_id: 'si-vc' };

describe('which sync failures are retried', () => {
  it('transport failures are retried and mark the instance unreachable', () => {
    for (const e of [
      new VSphereTransportError(
        'Connection to vCenter https://vc.example/sdk failed during Login: socket hang up [ECONNRESET]',
        'ECONNRESET',
      ),
      new VSphereTimeoutError('https://vc.example/sdk', 'RetrievePropertiesEx', 60_000),
    ]) {
      const f = classifySyncFailure(e, instance, 1);
      expect(f).toMatchObject({ retryable: true, unreachable: true });
      expect(f.error).toBe(`vCenter unreachable: ${e.message}`);
    }
  });

  it('wrong credentials and a certificate mismatch are not retried: waiting does not fix them', () => {
    const login = classifySyncFailure(new InvalidLoginFault('InvalidLogin', 'Cannot complete login'), instance, 1);
    expect(login).toMatchObject({ retryable: false, unreachable: false });
    expect(login.error).toContain("refused the login of service identity 'si-vc' (InvalidLogin)");
    const pin = classifySyncFailure(new CertificatePinMismatchError('https://vc.example/sdk', 'AA:BB', 'CC:DD'), instance, 1);
    expect(pin).toMatchObject({ retryable: false, unreachable: false });
    expect(pin.error).toMatch(/^CertificatePinMismatchError: .*AA:BB.*CC:DD/);
  });

  it('an open breaker fails a new run at once, naming the instance, the failures and the next allowed time; a retry keeps waiting', () => {
    const retryAt = new Date('2026-11-23T10:00:30.000Z');
    const last = new VSphereTransportError(
      'Connection to vCenter https://vc.example/sdk failed during Login: connect ECONNREFUSED [ECONNREFUSED]',
      'ECONNREFUSED',
    );
    const open = new VSphereCircuitOpenError('https://vc.example/sdk', { consecutiveFailures: 5, retryAt, lastFailure: last });
    const first = classifySyncFailure(open, instance, 1);
    expect(first).toMatchObject({ retryable: false, unreachable: true, notBefore: retryAt.getTime() });
    expect(first.error).toBe(
      'vCenter vc-001 circuit open after 5 consecutive failures; next attempt allowed after 2026-11-23T10:00:30.000Z; ' +
        `last failure: ${last.message}`,
    );
    expect(classifySyncFailure(open, instance, 2).retryable).toBe(true);
  });

  it('backs off exponentially, never before the breaker allows a probe, at most 15 minutes', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect([1, 2, 3].map((a) => retryDelaySeconds(now, a, 30))).toEqual([30, 60, 120]);
    expect(retryDelaySeconds(now, 1, 30, now + 45_500)).toBe(46);
    expect(retryDelaySeconds(now, 1, 30, now - 1_000)).toBe(30);
    expect(retryDelaySeconds(now, 7, 30)).toBe(900);
  });

  it('ignores messages of ended or superseded attempts, reruns an attempt whose worker died', () => {
    expect(isStaleAttempt({ status: 'queued', attempts: 0 }, 1)).toBe(false);
    expect(isStaleAttempt({ status: 'running', attempts: 1 }, 1)).toBe(false); // redelivered after a crash
    expect(isStaleAttempt({ status: 'retrying', attempts: 1 }, 1)).toBe(true); // its retry is queued already
    expect(isStaleAttempt({ status: 'retrying', attempts: 1 }, 2)).toBe(false);
    expect(isStaleAttempt({ status: 'running', attempts: 2 }, 1)).toBe(true);
    expect(isStaleAttempt({ status: 'failed', attempts: 3 }, 3)).toBe(true);
    expect(isStaleAttempt({ status: 'succeeded', attempts: 1 }, 1)).toBe(true);
  });
});

describe('a sync run against a vCenter nobody answers for', () => {
  const env = {
    VCENTER_SYNC_MAX_ATTEMPTS: '3',
    VCENTER_SYNC_RETRY_DELAY_SECONDS: '10',
    VCENTER_BREAKER_THRESHOLD: '4',
    VCENTER_BREAKER_HALF_OPEN_SECONDS: '600',
  };
  beforeAll(() => {
    Object.assign(process.env, env);
    resetConfig();
  });
  afterAll(() => {
    for (const k of Object.keys(env)) delete process.env[k];
    resetConfig();
  });
  let vcenter: VSphereClients;
  afterEach(() => vcenter.closeAll());

  async function setup() {
    const queue = new RecordingQueue();
    // The real vSphere adapter, with the breaker settings of the environment above.
    const { breakerThreshold, breakerHalfOpenMs } = config().vcenter;
    vcenter = new VSphereClients({ breakerThreshold, breakerHalfOpenAfterMs: breakerHalfOpenMs });
    // The breaker keeps real time (cockatiel reads Date.now()), so the use case's clock starts at real time too.
    const deps = { ...unitDeps(), clock: new ManualClock(Date.now()), queue: queue as unknown as Queue, vcenter };
    await createServiceIdentity(
      deps,
      { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'svc', secret: 'pw' },
      'test',
    );
    await createSite(deps, SiteCreate.parse({ id: 'site-001', name: 'lab' }), 'test');
    // Port 1 on loopback: connection refused at once, the fastest dead vCenter there is.
    await createVcenterInstance(
      deps,
      VCenterInstanceCreate.parse({
        id: 'vc-dead',
        url: 'https://127.0.0.1:1/sdk',
        site_id: 'site-001',
        service_identity_id: 'si-vc',
        tls: { insecure: true },
      }),
      'test',
    );
    return { deps, queue };
  }

  it('is retried by a delayed message per attempt, records each error, ends failed; the open breaker then fails a new run', async () => {
    const { deps, queue } = await setup();
    const [requested] = (await requestSync(deps, { instance_ids: ['vc-dead'], sync_type: 'full' }, 'alice')).map((r) => r.run);
    expect(requested).toMatchObject({ status: 'queued', attempts: 0, max_attempts: 3 });
    queue.sent.length = 0;

    const first = await executeSync(deps, requested!.id);
    expect(first).toMatchObject({ status: 'retrying', attempts: 1, error: expect.stringMatching(/^vCenter unreachable: .*ECONNREFUSED/) });
    expect(first.next_attempt_at).toBe(new Date(deps.clock.now() + 10_000).toISOString());
    expect(first.attempt_errors).toEqual([
      { attempt: 1, started_at: expect.any(String), failed_at: expect.any(String), error: first.error },
    ]);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]!.queue).toBe('vcenter-sync');
    expect(queue.sent[0]!.message.delaySeconds).toBe(10);
    expect(JSON.parse(queue.sent[0]!.message.body)).toEqual({
      instance_id: 'vc-dead',
      sync_type: 'full',
      sync_run_id: requested!.id,
      attempt: 2,
    });
    const between = await vcenterInstances.get(deps.store, 'vc-dead');
    expect(between).toMatchObject({ reachable: false, last_sync: { id: requested!.id, status: 'retrying', attempts: 1 } });
    expect(between.sync_lease).toBeUndefined(); // another run may take the instance between attempts

    // A redelivered first message changes nothing.
    expect(await executeSync(deps, requested!.id, 1)).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(queue.sent).toHaveLength(1);

    // Attempt 2: three more refused connections open the breaker (threshold 4) mid-attempt.
    const second = await executeSync(deps, requested!.id, 2);
    expect(second).toMatchObject({ status: 'retrying', attempts: 2 });
    expect(second.error).toMatch(
      /^vCenter vc-dead circuit open after 4 consecutive failures; next attempt allowed after \S+; last failure: .*ECONNREFUSED/,
    );
    // Its retry waits for the breaker's half-open time (600 s), not just the 20 s backoff.
    expect(queue.sent[1]!.message.delaySeconds).toBeGreaterThan(590);

    const last = await executeSync(deps, requested!.id, 3);
    expect(last).toMatchObject({ status: 'failed', attempts: 3, max_attempts: 3, error: expect.stringContaining('circuit open') });
    expect(last.attempt_errors!.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(last.next_attempt_at).toBeUndefined();
    expect(queue.sent).toHaveLength(2); // no fourth attempt
    expect(await vcenterInstances.get(deps.store, 'vc-dead')).toMatchObject({
      reachable: false,
      last_contact_error: last.error,
      last_sync: { id: requested!.id, status: 'failed', attempts: 3, error: last.error, finished_at: last.finished_at },
    });

    // A new run meets the open breaker: it fails at once, without a retry.
    const [again] = (await requestSync(deps, { instance_ids: ['vc-dead'], sync_type: 'delta' }, 'alice')).map((r) => r.run);
    queue.sent.length = 0;
    const refused = await executeSync(deps, again!.id);
    expect(refused).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringMatching(/^vCenter vc-dead circuit open after \d+ consecutive failures; next attempt allowed after /),
    });
    expect(queue.sent).toHaveLength(0);
    expect((await syncRuns.get(deps.store, again!.id)).attempt_errors).toHaveLength(1);
  });
});
