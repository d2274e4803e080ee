import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import { IdracHttpError, type IdracTarget } from '../../shared/ports/idrac';
import { waitFor } from '../support/wait';
import { credentialOf, expectIdracError, startFleet, targetOf, testClient } from './helpers';

// 0 and 1 idrac9 (Redfish), 2 idrac7 (WS-Man only). Each test uses a fresh client: breakers start closed.
const GENERATIONS = ['idrac9', 'idrac9', 'idrac7'] as const;
let fleet: SimulatorFleet;
const clients: IdracClient[] = [];

beforeAll(async () => {
  fleet = await startFleet({ count: GENERATIONS.length, baseAddress: '127.45.0.1', generation: (i) => GENERATIONS[i] ?? 'idrac9' });
});
afterEach(async () => {
  await Promise.all(fleet.endpoints.map((e) => e.clearFaults()));
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => fleet?.stop());

function client(overrides: Parameters<typeof testClient>[0] = {}): IdracClient {
  const c = testClient(overrides);
  clients.push(c);
  return c;
}

const target = (endpoint: SimulatedEndpoint): IdracTarget => targetOf(endpoint.info());
const cred = (endpoint: SimulatedEndpoint) => credentialOf(endpoint.info());
const SYSTEM = /Systems\/System\.Embedded\.1$/;

describe('timeouts', () => {
  it('hang at TCP (TLS never completes): a connect timeout, bounded by the retries', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'hang' });
    const error = await expectIdracError(client().inventory(target(endpoint), cred(endpoint)), 'timeout');
    expect(error.details.phase).toBe('connect');
  });

  it('hang at HTTP (request read, never answered): a response timeout, not retried', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'hang', stage: 'http', match: SYSTEM, times: 2 });
    // Had the client retried, the second attempt would hang too and the third succeed.
    const error = await expectIdracError(client({ headersTimeoutMs: 300 }).inventory(target(endpoint), cred(endpoint)), 'timeout');
    expect(error.details.phase).toBe('headers');
    expect(error.message).toContain('System.Embedded.1');
  });

  it('slow answers within the timeout are simply slow; beyond it they time out', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'slow', delayMs: 150 });
    const inventory = await client({ headersTimeoutMs: 5_000 }).inventory(target(endpoint), cred(endpoint));
    expect(inventory.service_tag).toBe(endpoint.info().serviceTag);
    // undici checks response timeouts on a ~0.5 s tick, so "beyond" has to be well beyond.
    await endpoint.setFault({ kind: 'slow', delayMs: 3_000 });
    const fp = await client({ headersTimeoutMs: 300 }).probe(target(endpoint));
    expect(fp.error).toMatchObject({ code: 'timeout', details: { phase: 'headers' } });
  });
});

describe('server errors, retries and the breaker', () => {
  it('GETs are retried on 5xx: two failures then success reads normally', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'http-error', status: 503, match: SYSTEM, times: 2 });
    const c = client({ retries: 2 });
    const inventory = await c.inventory(target(endpoint), cred(endpoint));
    expect(inventory.model).toBe(endpoint.info().model);
    expect(c.upstreams()[0]?.breaker).toBe('closed');
  });

  it('with fewer retries than failures the 5xx surfaces, with the iDRAC message id', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'http-error', status: 500, match: SYSTEM, times: 2 });
    const error = await expectIdracError(client({ retries: 1 }).inventory(target(endpoint), cred(endpoint)), 'http_error');
    expect(error).toBeInstanceOf(IdracHttpError);
    expect((error as IdracHttpError).status).toBe(500);
    expect((error as IdracHttpError).messageId).toMatch(/GeneralError/);
  });

  it('a POST is never retried: one 500 fails the reset and the host is untouched', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'http-error', status: 500, match: /ComputerSystem\.Reset$/, times: 1 });
    const c = client({ retries: 3 });
    const error = await expectIdracError(c.powerReset(target(endpoint), cred(endpoint), 'ForceOff'), 'http_error');
    expect((error as IdracHttpError).method).toBe('POST');
    expect(endpoint.power).toBe('On');
    // The fault was spent by that single attempt: the next call goes through.
    expect(await c.powerReset(target(endpoint), cred(endpoint), 'ForceOff')).toEqual({ outcome: 'accepted' });
    expect(endpoint.power).toBe('Off');
    endpoint.setPower('On');
  });

  it('repeated failures open the breaker: calls then fail fast without reaching the iDRAC', async () => {
    const endpoint = fleet.endpoint(1);
    await endpoint.setFault({ kind: 'http-error', status: 500 });
    const c = client({ retries: 2, breakerThreshold: 5, breakerHalfOpenAfterMs: 60_000 });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      codes.push(
        await c.inventory(target(endpoint), cred(endpoint)).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
    }
    // 3 attempts of the first call, 2 of the second (the 5th failure opens it), none of the third.
    expect(codes).toEqual(['http_error', 'circuit_open', 'circuit_open']);
    expect(c.upstreams()).toEqual([
      expect.objectContaining({ address: endpoint.info().address, breaker: 'open', last_failure: expect.stringMatching(/HTTP 500/) }),
    ]);
    // Once the iDRAC is healthy again, the open breaker still refuses calls until it half-opens, but a probe
    // (one unauthenticated attempt, outside the breaker) contacts it: a device that came back is seen at once.
    await endpoint.clearFaults();
    await expect(c.inventory(target(endpoint), cred(endpoint))).rejects.toMatchObject({ code: 'circuit_open' });
    const fp = await c.probe(target(endpoint));
    expect(fp).toMatchObject({ reachable: true, device: { kind: 'idrac' } });
  });

  it('the breaker half-opens after its delay and closes on success', async () => {
    const endpoint = fleet.endpoint(1);
    await endpoint.setFault({ kind: 'closed' });
    const c = client({ retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: 100 });
    await expectIdracError(c.inventory(target(endpoint), cred(endpoint)), 'unreachable');
    await expectIdracError(c.inventory(target(endpoint), cred(endpoint)), 'circuit_open');
    await endpoint.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await c.inventory(target(endpoint), cred(endpoint))).service_tag).toBe(endpoint.info().serviceTag);
    expect(c.upstreams()[0]?.breaker).toBe('closed');
  });

  it('WS-Man 5xx (SOAP Receiver fault) counts like any server error', async () => {
    const endpoint = fleet.endpoint(2);
    await endpoint.setFault({ kind: 'http-error', status: 500 }, 'wsman');
    const error = await expectIdracError(client({ retries: 0 }).inventory(target(endpoint), cred(endpoint)), 'http_error');
    expect(error.message).toMatch(/InternalError|internal processing/);
  });
});

describe('broken answers and connections', () => {
  it('malformed JSON: a clear parse error naming the resource', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'malformed', match: SYSTEM });
    const error = await expectIdracError(client().inventory(target(endpoint), cred(endpoint)), 'malformed_response');
    expect(error.message).toMatch(/malformed JSON for \/redfish\/v1\/Systems\/System\.Embedded\.1/);
    expect(endpoint.host.sessions.list()).toHaveLength(0);
  });

  it('malformed XML from WS-Man: a clear parse error naming the call', async () => {
    const endpoint = fleet.endpoint(2);
    await endpoint.setFault({ kind: 'malformed' }, 'wsman');
    const error = await expectIdracError(client().inventory(target(endpoint), cred(endpoint)), 'malformed_response');
    // The first WS-Man call is Identify (the route checks it is an iDRAC before any credential goes out).
    expect(error.message).toMatch(/malformed XML for (Identify|Enumerate|Pull)/);
  });

  it('connection reset on connect: connection_reset (retried, then reported)', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'reset' });
    await expectIdracError(client().inventory(target(endpoint), cred(endpoint)), 'connection_reset');
  });

  it('connection reset after the request: a GET is retried and succeeds', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'reset', stage: 'http', match: SYSTEM, times: 1 });
    expect((await client().inventory(target(endpoint), cred(endpoint))).service_tag).toBe(endpoint.info().serviceTag);
  });

  it('no listener anywhere: unreachable (connection refused)', async () => {
    const endpoint = fleet.endpoint(2);
    await endpoint.setFault({ kind: 'closed' });
    const error = await expectIdracError(client().inventory(target(endpoint), cred(endpoint)), 'unreachable');
    expect(error.details.cause_code).toBe('ECONNREFUSED');
  });

  it('too many calls for one iDRAC at once: the overflow is refused as overloaded', async () => {
    const endpoint = fleet.endpoint(1);
    await endpoint.setFault({ kind: 'slow', delayMs: 200 });
    const c = client({ maxConcurrentPerEndpoint: 1, maxQueuedPerEndpoint: 1 });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => c.probe(target(endpoint))));
    const codes = results.map((r) => (r.status === 'fulfilled' ? (r.value.error?.code ?? 'ok') : 'threw'));
    expect(codes).toContain('ok');
    expect(codes).toContain('overloaded');
  });

  it('a call that waited for a busy iDRAC checks mayAct once it has the slot: refused there, it sends nothing', async () => {
    const endpoint = fleet.endpoint(1);
    await endpoint.setFault({ kind: 'slow', delayMs: 300 });
    const c = client({ maxConcurrentPerEndpoint: 1, maxQueuedPerEndpoint: 4 });
    let killSwitch = false;
    const mayAct = async () => {
      if (killSwitch) throw new Error('kill switch on');
    };
    const first = c.inventory({ ...target(endpoint), mayAct }, cred(endpoint));
    await waitFor('the first call to reach the iDRAC', async () => (endpoint.stats().requests > 0 ? true : undefined));
    const waiting = c.inventory({ ...target(endpoint), mayAct }, cred(endpoint)).catch((e: Error) => e);
    killSwitch = true; // activated while the second call waits for the slot
    const sentBefore = endpoint.stats().requests;
    await first.catch(() => undefined);
    expect(await waiting).toMatchObject({ message: 'kill switch on' });
    // Only what the first call still had to send: the first refused request of the first call ends it too.
    expect(endpoint.stats().requests).toBeLessThanOrEqual(sentBefore + 1);
  });
});
