import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent, type Dispatcher, request } from 'undici';
import { type EndpointInfo, type FleetOptions, SimulatorFleet } from '../../infra/local/simulators';
import { waitFor } from '../support/wait';

/** Shared across test files and runs: certificates are generated once. */
export const CERT_DIR = join(tmpdir(), 'eio-simulator-test-certs');

export function startFleet(options: FleetOptions): Promise<SimulatorFleet> {
  return SimulatorFleet.start({ certDir: CERT_DIR, ...options });
}

/**
 * A client that trusts exactly one endpoint: its self-signed certificate as the only CA, the IP SAN
 * checked as usual, and the SHA-256 thumbprint pinned on top — never rejectUnauthorized: false.
 */
export function pinnedAgent(
  pem: string,
  thumbprint: string,
  extra: Record<string, unknown> = {},
  timeouts: { headersTimeout?: number; connectTimeout?: number } = {},
): Agent {
  return new Agent({
    connect: {
      ca: pem,
      timeout: timeouts.connectTimeout ?? 10_000,
      checkServerIdentity: (host: string, cert: PeerCertificate) =>
        checkServerIdentity(host, cert) ??
        (cert.fingerprint256 === thumbprint ? undefined : new Error(`pin mismatch: ${cert.fingerprint256}`)),
      ...extra,
    },
    headersTimeout: timeouts.headersTimeout ?? 10_000,
    bodyTimeout: 10_000,
    keepAliveTimeout: 10,
  });
}

export function agentFor(info: EndpointInfo, timeouts?: { headersTimeout?: number; connectTimeout?: number }): Agent {
  return pinnedAgent(info.certificate.pem, info.certificate.thumbprint, {}, timeouts);
}

export type Auth = { basic: [string, string] } | { token: string } | 'none';

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Tests read arbitrary Redfish JSON; any keeps the assertions readable.
  json: any;
}

export function basic(info: EndpointInfo): Auth {
  return { basic: [info.credentials.username, info.credentials.password] };
}

export async function call(
  dispatcher: Dispatcher,
  origin: string,
  path: string,
  options: { method?: Dispatcher.HttpMethod; auth?: Auth; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth ?? 'none';
  if (auth !== 'none' && 'basic' in auth) headers.authorization = `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}`;
  if (auth !== 'none' && 'token' in auth) headers['x-auth-token'] = auth.token;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(`${origin}${path}`, { method: options.method ?? 'GET', headers, body, dispatcher, signal: options.signal });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export function origin(info: EndpointInfo): string {
  return `https://${info.address}:${info.ports.https}`;
}

/** Polls until `probe` returns a value (errors count as "not yet"); fails after `limitMs` so a test never hangs. */
export const eventually = <T>(probe: () => Promise<T | undefined>, limitMs = 15_000, everyMs = 20): Promise<T> =>
  waitFor('condition', probe, limitMs, everyMs);

/** The error code undici (or the TLS layer under it) failed with, looking through `cause`. */
export async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    let e: unknown = error;
    const codes: string[] = [];
    while (e && typeof e === 'object') {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') codes.push(code);
      e = (e as { cause?: unknown }).cause;
    }
    return codes.join('|') || String(error);
  }
  throw new Error('expected the request to fail');
}

export function extendedInfo(json: JsonResponse['json']): { MessageId: string; Message: string } {
  return json?.error?.['@Message.ExtendedInfo']?.[0] ?? json?.['@Message.ExtendedInfo']?.[0];
}

/** Redfish paths the firmware and power tests use. */
export const REDFISH = {
  SYSTEM: '/redfish/v1/Systems/System.Embedded.1',
  MANAGER: '/redfish/v1/Managers/iDRAC.Embedded.1',
  RESET: '/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset',
  SIMPLE_UPDATE: '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate',
  INVENTORY: '/redfish/v1/UpdateService/FirmwareInventory',
} as const;

/** Requests to one endpoint's Redfish service with its factory credential (basic auth unless told otherwise). */
export function redfishOf(info: EndpointInfo) {
  const agent = agentFor(info);
  const rf = (path: string, options: Parameters<typeof call>[3] = {}) => call(agent, origin(info), path, { auth: basic(info), ...options });
  return { info, rf };
}
