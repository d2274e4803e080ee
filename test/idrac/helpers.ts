import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type EndpointInfo, type FleetOptions, type SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import type { IdracClientOptions, IdracLog } from '../../shared/adapters/idrac/options';
import type { IdracErrorCode } from '../../shared/domain/idrac';
import { type IdracCredential, IdracError, type IdracJobStatus, type IdracTarget, type IdracTlsTrust } from '../../shared/ports/idrac';
import { waitFor } from '../support/wait';

/** Certificates are generated once per machine and reused across runs. */
export const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');

export function startFleet(options: FleetOptions): Promise<SimulatorFleet> {
  return SimulatorFleet.start({ certDir: CERT_DIR, speed: 200, ...options });
}

/** A port on which nothing listens: WS-Man on a simulated iDRAC9 (which has none). */
export const NO_PORT = 9;

/** The target as discovery would hold it: pinned to the endpoint's certificate, legacy only where it must be. */
export function targetOf(info: EndpointInfo, tls: Partial<IdracTlsTrust> = { pinnedThumbprint: info.certificate.thumbprint }): IdracTarget {
  return {
    address: info.address,
    redfishPort: info.ports.https,
    wsmanPort: info.ports.wsman ?? NO_PORT,
    tls: { legacy: info.maxTlsVersion === 'TLSv1' || info.maxTlsVersion === 'TLSv1.1', ...tls },
  };
}

export function credentialOf(info: EndpointInfo): IdracCredential {
  return { ...info.credentials };
}

export interface LogEntry {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

/** Keeps every log call, so tests can look for leaked secrets or for what was said. */
export class LogRecorder implements IdracLog {
  readonly entries: LogEntry[] = [];
  debug = (message: string, attributes: Record<string, unknown> = {}) => this.entries.push({ level: 'debug', message, attributes });
  info = (message: string, attributes: Record<string, unknown> = {}) => this.entries.push({ level: 'info', message, attributes });
  warn = (message: string, attributes: Record<string, unknown> = {}) => this.entries.push({ level: 'warn', message, attributes });
  error = (message: string, attributes: Record<string, unknown> = {}) => this.entries.push({ level: 'error', message, attributes });

  text(): string {
    return JSON.stringify(this.entries);
  }
}

/** Short timeouts and backoff so fault tests finish quickly; behaviour is what is asserted, never time. */
export function testClient(overrides: Partial<IdracClientOptions> = {}): IdracClient {
  return new IdracClient({
    connectTimeoutMs: 400,
    headersTimeoutMs: 1_500,
    bodyTimeoutMs: 1_500,
    retries: 2,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    breakerThreshold: 100,
    breakerHalfOpenAfterMs: 60_000,
    log: new LogRecorder(),
    ...overrides,
  });
}

/** Awaits a rejection with an IdracError of this code and returns it for further checks. */
export async function expectIdracError(promise: Promise<unknown>, code: IdracErrorCode): Promise<IdracError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an IdracError '${code}'`).toBeInstanceOf(IdracError);
  const error = caught as IdracError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Polls until `probe` returns a value (errors count as "not yet"); fails after `limitMs` so a test never hangs. */
export const eventually = <T>(probe: () => Promise<T | undefined>, limitMs = 15_000, everyMs = 20): Promise<T> =>
  waitFor('condition', probe, limitMs, everyMs);

/** A job ended, one way or the other. */
export const isFinished = (s: IdracJobStatus) => s.state === 'completed' || s.state === 'failed';

/** Polls a job on this simulated iDRAC through the client until `done` says so. */
export function untilJob(
  client: IdracClient,
  endpoint: SimulatedEndpoint,
  jobId: string,
  done: (s: IdracJobStatus) => boolean,
): Promise<IdracJobStatus> {
  const info = endpoint.info();
  return eventually(async () => {
    const status = await client.jobStatus(targetOf(info), credentialOf(info), jobId);
    return done(status) ? status : undefined;
  });
}

/** The version the simulated server has installed for a device. */
export const installedVersion = (endpoint: SimulatedEndpoint, fqdd: string) => endpoint.firmware().find((f) => f.fqdd === fqdd)?.version;
