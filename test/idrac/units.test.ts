import { describe, expect, it } from 'vitest';
import { isEndpointFailure, isRetryable, toIdracError } from '../../shared/adapters/idrac/errors';
import { normalizeMac } from '../../shared/adapters/idrac/mac';
import { resolveOptions } from '../../shared/adapters/idrac/options';
import { readJobStatus } from '../../shared/adapters/idrac/redfish/jobs';
import { compareVersions, readServiceRoot } from '../../shared/adapters/idrac/redfish/service-root';
import type { RedfishResponse, RedfishSession } from '../../shared/adapters/idrac/redfish/session';
import { allSettledOrThrow } from '../../shared/adapters/idrac/settle';
import { AnchorCache } from '../../shared/adapters/idrac/tls/anchors';
import { normalizeThumbprint } from '../../shared/adapters/idrac/tls/thumbprint';
import { EndpointPools } from '../../shared/adapters/idrac/transport/endpoint-pools';
import { EndpointResilience, ResilienceRegistry } from '../../shared/adapters/idrac/transport/resilience';
import { IdracError, IdracHttpError } from '../../shared/ports/idrac';
import { eventually, LogRecorder } from './helpers';

const A = '127.47.0.1';
const codeError = (code: string) => Object.assign(new Error(code), { code });

describe('error classification', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['EHOSTUNREACH', 'unreachable'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ECONNRESET', 'connection_reset'],
    ['UND_ERR_SOCKET', 'connection_reset'],
    ['HPE_INVALID_CONSTANT', 'malformed_response'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tls_handshake'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate_untrusted'],
  ])('%s → %s', (code, expected) => {
    expect(toIdracError(codeError(code), A).code).toBe(expected);
  });

  it('looks through causes and keeps IdracErrors as they are', () => {
    const wrapped = new Error('fetch failed', { cause: codeError('ECONNREFUSED') });
    expect(toIdracError(wrapped, A).code).toBe('unreachable');
    const own = new IdracError('not_ready', 'busy', A);
    expect(toIdracError(own, A)).toBe(own);
  });

  it('retries only what may not have been handled; the breaker counts only signs of a sick endpoint', () => {
    const http = (status: number) => new IdracHttpError(A, status, 'GET', '/x');
    const timeout = (phase: string) => new IdracError('timeout', 't', A, { phase });
    expect([500, 503, 429].map((s) => isRetryable(http(s)))).toEqual([true, true, true]);
    expect([400, 401, 404, 409].map((s) => isRetryable(http(s)))).toEqual([false, false, false, false]);
    expect(isRetryable(timeout('connect'))).toBe(true);
    expect(isRetryable(timeout('headers'))).toBe(false);
    expect(isRetryable(new IdracError('certificate_mismatch', 'm', A))).toBe(false);
    expect(isEndpointFailure(timeout('headers'))).toBe(true);
    expect(isEndpointFailure(http(401))).toBe(false);
    expect(isEndpointFailure(new IdracError('malformed_response', 'm', A))).toBe(false);
  });
});

describe('per-endpoint resilience', () => {
  const options = (over: Parameters<typeof resolveOptions>[0] = {}) =>
    resolveOptions({
      retries: 2,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 2,
      breakerThreshold: 3,
      breakerHalfOpenAfterMs: 60_000,
      log: new LogRecorder(),
      ...over,
    });
  const failing = (error: Error) => {
    let calls = 0;
    return {
      fn: async () => {
        calls++;
        throw error;
      },
      calls: () => calls,
    };
  };

  it('idempotent calls are retried on retryable errors only; others are attempted once', async () => {
    const r = new EndpointResilience(A, options({ breakerThreshold: 100 }));
    const server = failing(new IdracHttpError(A, 503, 'GET', '/x'));
    await expect(r.run({ retry: true }, server.fn)).rejects.toThrow(/503/);
    expect(server.calls()).toBe(3);
    const post = failing(new IdracHttpError(A, 503, 'POST', '/x'));
    await expect(r.run({ retry: false }, post.fn)).rejects.toThrow(/503/);
    expect(post.calls()).toBe(1);
    const denied = failing(new IdracHttpError(A, 401, 'GET', '/x'));
    await expect(r.run({ retry: true }, denied.fn)).rejects.toThrow(/401/);
    expect(denied.calls()).toBe(1);
  });

  it('the breaker opens after consecutive failures, refuses, and lets breaker-exempt calls (logout) through', async () => {
    const r = new EndpointResilience(A, options({ retries: 0 }));
    const down = failing(new IdracError('unreachable', 'refused', A));
    for (let i = 0; i < 3; i++) await expect(r.run({ retry: false }, down.fn)).rejects.toMatchObject({ code: 'unreachable' });
    expect(r.state().breaker).toBe('open');
    await expect(r.run({ retry: false }, async () => 'never')).rejects.toMatchObject({ code: 'circuit_open' });
    expect(await r.run({ retry: false, breaker: false }, async () => 'logged out')).toBe('logged out');
    expect(r.state().last_failure).toBe('refused');
  });

  it('half-opens after its delay and closes on a success', async () => {
    const r = new EndpointResilience(A, options({ retries: 0, breakerThreshold: 1, breakerHalfOpenAfterMs: 30 }));
    await expect(r.run({ retry: false }, failing(new IdracError('timeout', 't', A)).fn)).rejects.toMatchObject({ code: 'timeout' });
    expect(r.state().breaker).toBe('open');
    await eventually(async () => await r.run({ retry: false }, async () => 'ok').catch(() => undefined));
    expect(r.state().breaker).toBe('closed');
  });

  it('limits concurrency and refuses past the queue as overloaded', async () => {
    const r = new EndpointResilience(A, options({ maxConcurrentPerEndpoint: 2, maxQueuedPerEndpoint: 1 }));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let peak = 0;
    const work = async () => {
      peak = Math.max(peak, ++running);
      await gate;
      running--;
      return 'done';
    };
    const calls = [1, 2, 3, 4].map(() => r.run({ retry: false }, work).catch((e: IdracError) => e.code));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.state()).toMatchObject({ free_slots: 0, free_queue: 0 });
    release();
    expect(await Promise.all(calls)).toEqual(['done', 'done', 'done', 'overloaded']);
    expect(peak).toBe(2);
  });

  describe('the registry of endpoints', () => {
    const addresses = (registry: ResilienceRegistry) => registry.states().map((s) => s.address);

    it('keeps at most its bound: the least recently used idle endpoints are forgotten first', async () => {
      const registry = new ResilienceRegistry(options(), 3);
      const first = registry.for('127.47.1.1');
      registry.for('127.47.1.2');
      registry.for('127.47.1.3');
      expect(registry.for('127.47.1.1')).toBe(first); // used again: now the most recent
      expect(await first.run({ retry: false }, async () => 'ok')).toBe('ok');
      registry.for('127.47.1.4');
      expect(registry.size).toBe(3);
      expect(addresses(registry)).toEqual(['127.47.1.3', '127.47.1.1', '127.47.1.4']);
    });

    it('never forgets an open breaker, nor an endpoint with a call in flight, however far past the bound', async () => {
      const registry = new ResilienceRegistry(options({ retries: 0, breakerThreshold: 1 }), 2);
      const down = registry.for('127.47.2.1');
      await expect(down.run({ retry: false }, failing(new IdracError('unreachable', 'refused', A)).fn)).rejects.toMatchObject({
        code: 'unreachable',
      });
      const busy = registry.for('127.47.2.2');
      let finish!: () => void;
      const inFlight = busy.run({ retry: false }, () => new Promise<void>((resolve) => (finish = resolve)));
      for (let i = 3; i <= 6; i++) registry.for(`127.47.2.${i}`);
      expect(registry.for('127.47.2.1')).toBe(down);
      await expect(registry.for('127.47.2.1').run({ retry: false }, async () => 'never')).rejects.toMatchObject({ code: 'circuit_open' });
      expect(registry.for('127.47.2.2')).toBe(busy);
      finish();
      await inFlight;
      // Idle again: forgotten on the next new address, the open breaker still kept.
      registry.for('127.47.2.7');
      registry.for('127.47.2.8');
      expect(addresses(registry)).toEqual(['127.47.2.1', '127.47.2.8']);
    });
  });
});

describe('job status', () => {
  type Reply = { status: number; body?: unknown };
  function fakeSession(replies: Record<string, Reply>): { session: RedfishSession; asked: string[] } {
    const asked: string[] = [];
    const session = {
      async request(_method: string, path: string): Promise<RedfishResponse> {
        asked.push(path);
        const reply = replies[path] ?? { status: 404 };
        return {
          status: reply.status,
          headers: {},
          text: JSON.stringify(reply.body ?? {}),
          json: () => (reply.body ?? {}) as Record<string, unknown>,
        };
      },
      httpError: (method: string, path: string, r: { status: number }) => new IdracHttpError(A, r.status, method, path),
    };
    return { session: session as unknown as RedfishSession, asked };
  }
  const M = '/redfish/v1/Managers/iDRAC.Embedded.1';

  it('falls through Dell job paths to the TaskService, and prefers the Dell state a task carries', async () => {
    const { session, asked } = fakeSession({
      '/redfish/v1/TaskService/Tasks/JID_1': {
        status: 200,
        body: {
          TaskState: 'Running',
          PercentComplete: 90,
          Messages: [{ Message: 'old' }],
          Oem: { Dell: { JobState: 'Completed', PercentComplete: 100, Message: 'Job completed successfully.', MessageId: 'RED001' } },
        },
      },
    });
    expect(await readJobStatus(session, A, 'JID_1')).toEqual({
      job_id: 'JID_1',
      state: 'completed',
      raw_state: 'Completed',
      percent_complete: 100,
      message: 'Job completed successfully.',
      message_id: 'RED001',
      source: 'task_service',
    });
    expect(asked).toEqual([`${M}/Oem/Dell/Jobs/JID_1`, `${M}/Jobs/JID_1`, '/redfish/v1/TaskService/Tasks/JID_1']);
  });

  it('asks the place that answered last time first', async () => {
    const { session, asked } = fakeSession({
      [`${M}/Jobs/JID_2`]: { status: 200, body: { JobState: 'Scheduled', PercentComplete: 0, Message: 'Task successfully scheduled.' } },
    });
    expect((await readJobStatus(session, A, 'JID_2', 'dell_jobs_legacy_path')).state).toBe('pending');
    expect(asked).toEqual([`${M}/Jobs/JID_2`]);
  });

  it.each([
    ['Completed with Errors', 'failed'],
    ['Failed', 'failed'],
    ['Downloading', 'running'],
    ['New', 'pending'],
    ['Cancelled', 'cancelled'],
    ['Whatever', 'unknown'],
  ])('Dell state %s → %s', async (raw, state) => {
    const { session } = fakeSession({ [`${M}/Oem/Dell/Jobs/JID_3`]: { status: 200, body: { JobState: raw } } });
    expect((await readJobStatus(session, A, 'JID_3')).state).toBe(state);
  });
});

describe('small pure pieces', () => {
  it('versions compare numerically', () => {
    expect(compareVersions('1.13.1', '1.6.0')).toBe(1);
    expect(compareVersions('1.4', '1.4.0')).toBe(0);
    expect(compareVersions('1.0.2', '1.6.0')).toBe(-1);
  });

  it('service root: $expand only when advertised, and whether inventory can use it', () => {
    const full = readServiceRoot({
      RedfishVersion: '1.13.1',
      Systems: { '@odata.id': '/s' },
      Managers: { '@odata.id': '/m' },
      UpdateService: { '@odata.id': '/u' },
      ProtocolFeaturesSupported: { ExpandQuery: { ExpandAll: true, Levels: true } },
      Oem: { Dell: { ServiceTag: 'ABC1234' } },
    });
    expect(full).toMatchObject({ version: '1.13.1', expand: '*($levels=1)', complete: true, serviceTag: 'ABC1234' });
    const old = readServiceRoot({ RedfishVersion: '1.0.2', Systems: { '@odata.id': '/s' } });
    expect(old).toMatchObject({ expand: undefined, complete: false });
  });

  it('thumbprints and MACs in one canonical form', () => {
    expect(normalizeThumbprint('ab cd:EF-01')).toBe('AB:CD:EF:01');
    expect(normalizeMac('AA-BB-CC-DD-EE-0F')).toBe('aa:bb:cc:dd:ee:0f');
    expect(normalizeMac('aabb.ccdd.ee0f')).toBe('aa:bb:cc:dd:ee:0f');
  });

  it('allSettledOrThrow waits for every request before failing', async () => {
    let lateDone = false;
    const late = new Promise<number>((resolve) => setTimeout(() => ((lateDone = true), resolve(1)), 20));
    await expect(allSettledOrThrow<[number, number]>([Promise.reject(new Error('first')), late])).rejects.toThrow('first');
    expect(lateDone).toBe(true);
  });
});

describe('certificates learned for insecure endpoints', () => {
  it('keeps at most its bound: the least recently used are forgotten first', () => {
    const anchors = new AnchorCache(2);
    anchors.learn('insecure:127.47.3.1', 'pem 1');
    anchors.learn('insecure:127.47.3.2', 'pem 2');
    expect(anchors.get('insecure:127.47.3.1')).toBe('pem 1'); // used again: now the most recent
    anchors.learn('insecure:127.47.3.3', 'pem 3');
    expect(anchors.size).toBe(2);
    expect(anchors.get('insecure:127.47.3.2')).toBeUndefined();
    expect(anchors.get('insecure:127.47.3.1')).toBe('pem 1');
    anchors.learn('insecure:127.47.3.3', 'pem 3 renewed');
    expect(anchors.get('insecure:127.47.3.3')).toBe('pem 3 renewed');
  });
});

describe('connection pools per iDRAC port', () => {
  it('keep at most the bound: the least recently used idle pools are closed, a busy one stays', async () => {
    const pools = new EndpointPools(resolveOptions({}), new AnchorCache(), 3);
    const target = (address: string) => ({ address, tls: { insecure: true } });
    const first = pools.get(target('127.99.0.1'), 443);
    // A request queued on the first pool (nothing listens there): it is busy, so it is never evicted.
    const pending = first.pool.request({ method: 'GET', path: '/' }).catch(() => undefined);
    pools.get(target('127.99.0.2'), 443);
    pools.get(target('127.99.0.3'), 443);
    pools.get(target('127.99.0.2'), 443); // used again: now the most recent
    pools.get(target('127.99.0.4'), 443);
    expect(pools.size).toBe(3);
    expect(pools.get(target('127.99.0.1'), 443)).toBe(first);
    expect(pools.size).toBe(3);
    await pools.closeAll();
    await pending;
  });
});
