/**
 * The unauthenticated probe: Redfish service root and WS-Man Identify, what device answers (classified by
 * shared/domain/device-identity.ts), and the capability fingerprint. Nothing here ever sends a credential.
 */
import { classifyDevice, type DeviceEvidence, type DeviceIdentity, generationBeforeLogin, notAnIdrac } from '../../domain/device-identity';
import type { CapabilityFingerprint, IdracErrorInfo, IdracProtocol } from '../../domain/idrac';
import { IdracError, IdracHttpError, type IdracTarget } from '../../ports/idrac';
import { DEFAULT_REDFISH_PORT, DEFAULT_WSMAN_PORT } from './options';
import { isObject, parseJson } from './redfish/json';
import { ROOT } from './redfish/paths';
import { isServiceRoot, type RecentServiceRoots, readServiceRoot, type ServiceRoot } from './redfish/service-root';
import type { EndpointPools } from './transport/endpoint-pools';
import type { HttpTransport, SendOptions } from './transport/http';
import type { WsmanClient, WsmanIdentity } from './wsman/wsman-client';

type Outcome<T> = { kind: 'answered'; value: T } | { kind: 'absent' } | { kind: 'failed'; error: IdracError };
type RedfishSeen = { root: ServiceRoot } | { authRequired: true } | { notRedfish: string };

// Which failure explains an unusable endpoint best, most telling first.
const TELLING: IdracError['code'][] = [
  'certificate_mismatch',
  'certificate_untrusted',
  'tls_handshake',
  'malformed_response',
  'credential_rejected',
  'timeout',
  'connection_reset',
  'circuit_open',
  'overloaded',
  'unreachable',
];
const CERTIFICATE: IdracError['code'][] = ['certificate_mismatch', 'certificate_untrusted'];
/** Failures after which a look-only read can still tell what the device is: its certificate or TLS version was refused. */
const LOOK_ONLY_AFTER: IdracError['code'][] = ['certificate_untrusted', 'tls_handshake'];
/** The pool of look-only reads: apart from the endpoint's own, never used with a credential, dropped after the look. */
const LOOK_ONLY_LANE = '#identify';
/**
 * A probe is one attempt outside the circuit breaker: a sweep must not multiply its time on dead addresses,
 * and an address that failed in earlier runs is still contacted (the breaker guards calls that follow a probe).
 */
const PROBE_GUARD: Pick<SendOptions, 'retry' | 'breaker'> = { retry: false, breaker: false };

function asIdracError(error: unknown, address: string): IdracError {
  return error instanceof IdracError ? error : new IdracError('connection_reset', `iDRAC ${address}: ${String(error)}`, address);
}

export interface ProbeDeps {
  http: HttpTransport;
  wsman: WsmanClient;
  pools: EndpointPools;
  /** Where a Redfish root read by the probe is kept for the call that follows it. */
  roots: RecentServiceRoots;
}

/** Redfish service root, unauthenticated: a root, a root behind a login, or an HTTPS answer that is not Redfish. */
async function probeRedfish(deps: ProbeDeps, target: IdracTarget, port: number, lane?: string): Promise<Outcome<RedfishSeen>> {
  try {
    const response = await deps.http.send(
      target,
      port,
      { method: 'GET', path: ROOT, headers: { accept: 'application/json' } },
      { ...PROBE_GUARD, lane },
    );
    // Some hardened services want credentials even for the root: Redfish is there, its version unknown.
    if (response.status === 401) return { kind: 'answered', value: { authRequired: true } };
    if (response.status !== 200) return { kind: 'answered', value: { notRedfish: `HTTP ${response.status} on ${ROOT}` } };
    const type = String(response.headers['content-type'] ?? 'no content type').split(';')[0]!;
    // Declared JSON that does not parse is a broken answer (malformed_response), not proof of another device.
    if (/json/i.test(type)) return answeredRoot(deps, target, port, parseJson(response.text, target.address, ROOT), lane);
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      return { kind: 'answered', value: { notRedfish: `HTTP 200 on ${ROOT} with ${type}, not JSON` } };
    }
    return answeredRoot(deps, target, port, body, lane);
  } catch (error) {
    const e = asIdracError(error, target.address);
    // A 5xx answer: something serves HTTPS there, and it is not a usable Redfish root.
    if (e instanceof IdracHttpError) return { kind: 'answered', value: { notRedfish: `HTTP ${e.status} on ${ROOT}` } };
    return { kind: 'failed', error: e };
  }
}

function answeredRoot(deps: ProbeDeps, target: IdracTarget, port: number, body: unknown, lane?: string): Outcome<RedfishSeen> {
  if (!isObject(body) || !isServiceRoot(body))
    return { kind: 'answered', value: { notRedfish: `JSON on ${ROOT} that is not a Redfish service root` } };
  const root = readServiceRoot(body);
  if (!lane) deps.roots.remember(target.address, port, root);
  return { kind: 'answered', value: { root } };
}

async function probeWsman(deps: ProbeDeps, target: IdracTarget, port: number, lane?: string): Promise<Outcome<WsmanIdentity>> {
  try {
    return { kind: 'answered', value: await deps.wsman.identify(target, port, { ...PROBE_GUARD, lane }) };
  } catch (error) {
    const e = asIdracError(error, target.address);
    // Nothing on that path (an iDRAC9 without WS-Man on this port answers 404 or 405), or no SOAP at all.
    if (e.code === 'not_found' || e.code === 'malformed_response' || e.code === 'protocol_fault' || e instanceof IdracHttpError)
      return { kind: 'absent' };
    return { kind: 'failed', error: e };
  }
}

const looksOnly = (outcome: Outcome<unknown>) => outcome.kind === 'failed' && LOOK_ONLY_AFTER.includes(outcome.error.code);

/**
 * What the device is, when its certificate (or its TLS version) was refused: the root and Identify read once
 * more, trusting the certificate presented and allowing TLS 1.0/1.1 for this look only. Nothing is sent but
 * those two unauthenticated reads, and the pool is dropped afterwards, so the endpoint's own trust is untouched.
 */
async function lookOnly(
  deps: ProbeDeps,
  target: IdracTarget,
  ports: { redfish: number; wsman: number },
  first: { redfish: Outcome<RedfishSeen>; wsman: Outcome<WsmanIdentity> },
): Promise<{ redfish: Outcome<RedfishSeen>; wsman: Outcome<WsmanIdentity> }> {
  const look: IdracTarget = { ...target, tls: { trustOnFirstUse: true, legacy: true } };
  try {
    const [redfish, wsman] = await Promise.all([
      looksOnly(first.redfish) ? probeRedfish(deps, look, ports.redfish, LOOK_ONLY_LANE) : first.redfish,
      looksOnly(first.wsman) ? probeWsman(deps, look, ports.wsman, LOOK_ONLY_LANE) : first.wsman,
    ]);
    return { redfish, wsman };
  } finally {
    deps.pools.drop(look, ports.redfish, LOOK_ONLY_LANE);
    deps.pools.drop(look, ports.wsman, LOOK_ONLY_LANE);
  }
}

function evidenceOf(redfish: Outcome<RedfishSeen>, wsman: Outcome<WsmanIdentity>, tls: boolean): DeviceEvidence {
  const seen = redfish.kind === 'answered' ? redfish.value : undefined;
  return {
    ...(seen && 'root' in seen ? { redfish: { kind: 'root', root: seen.root.facts } } : {}),
    ...(seen && 'authRequired' in seen ? { redfish: { kind: 'auth_required' } } : {}),
    ...(seen && 'notRedfish' in seen ? { redfish: { kind: 'not_redfish', what: seen.notRedfish } } : {}),
    ...(wsman.kind === 'answered' ? { wsman: { vendor: wsman.value.vendor, version: wsman.value.version } } : {}),
    tls: tls || redfish.kind === 'answered' || wsman.kind === 'answered',
  };
}

/**
 * The capability fingerprint: both protocols tried at once (a dead address then costs one timeout, not
 * two), the device classified from what it said, the generation of an iDRAC from that, and the TLS facts of
 * the handshake kept even when the certificate was refused (so discovery can show it, or pin it on first use
 * when the site allows). Only an iDRAC is `reachable`: anything else carries `not_an_idrac`.
 */
export async function probeEndpoint(deps: ProbeDeps, target: IdracTarget): Promise<CapabilityFingerprint> {
  const ports = { redfish: target.redfishPort ?? DEFAULT_REDFISH_PORT, wsman: target.wsmanPort ?? DEFAULT_WSMAN_PORT };
  const [redfish, wsman] = await Promise.all([probeRedfish(deps, target, ports.redfish), probeWsman(deps, target, ports.wsman)]);
  const tls = deps.pools.tlsFacts(target, ports.redfish) ?? deps.pools.tlsFacts(target, ports.wsman);
  const trusted = { redfish, wsman };
  const seen = looksOnly(redfish) || looksOnly(wsman) ? await lookOnly(deps, target, ports, trusted) : trusted;
  const device = classifyDevice(evidenceOf(seen.redfish, seen.wsman, tls !== undefined));

  const protocols: CapabilityFingerprint['protocols'] = {};
  const root = redfish.kind === 'answered' ? redfish.value : undefined;
  if (root && 'root' in root) protocols.redfish = { version: root.root.version, port: ports.redfish };
  if (root && 'authRequired' in root) protocols.redfish = { version: '', port: ports.redfish };
  if (wsman.kind === 'answered') protocols.wsman = { product: wsman.value.vendor, version: wsman.value.version, port: ports.wsman };
  const isIdrac = device.kind === 'idrac';
  const reachable = isIdrac && Object.keys(protocols).length > 0;

  const failures: Partial<Record<IdracProtocol, IdracError>> = {};
  if (redfish.kind === 'failed') failures.redfish = redfish.error;
  if (wsman.kind === 'failed') failures.wsman = wsman.error;
  // A port nobody listens on is "not offered" once the other protocol answered.
  const relevant = Object.entries(failures).filter(([, e]) => !(reachable && e.code === 'unreachable')) as Array<
    [IdracProtocol, IdracError]
  >;
  const protocolErrors = Object.fromEntries(relevant.map(([p, e]) => [p, e.toInfo()])) as Partial<Record<IdracProtocol, IdracErrorInfo>>;
  const ranked = relevant.map(([, e]) => e).sort((a, b) => rank(a) - rank(b));
  const error = probeError(target, device, reachable, ranked, ports);

  const { generation, basis } = generationBeforeLogin(device);
  const serviceTag = isIdrac ? device.service_tag : undefined;
  return {
    address: target.address,
    reachable,
    protocols,
    device,
    generation,
    generation_basis: basis,
    ...(serviceTag ? { service_tag: serviceTag } : {}),
    ...(tls ? { tls } : {}),
    ...(error ? { error } : {}),
    ...(Object.keys(protocolErrors).length ? { protocol_errors: protocolErrors } : {}),
  };
}

/** Why the endpoint is not usable: not an iDRAC at all, or the most telling failure, or a refused certificate. */
function probeError(
  target: IdracTarget,
  device: DeviceIdentity,
  reachable: boolean,
  ranked: IdracError[],
  ports: { redfish: number; wsman: number },
): IdracErrorInfo | undefined {
  if (device.kind !== 'idrac' && device.kind !== 'nothing' && device.kind !== 'unidentified')
    return { code: 'not_an_idrac', message: notAnIdrac(target.address, device), details: { device_kind: device.kind } };
  const refusedCertificate = ranked.find((e) => CERTIFICATE.includes(e.code));
  if (reachable) return refusedCertificate?.toInfo();
  return (
    refusedCertificate?.toInfo() ??
    ranked[0]?.toInfo() ?? {
      code: 'not_supported',
      message: `${target.address} answers HTTPS but offers neither Redfish (port ${ports.redfish}) nor WS-Man (port ${ports.wsman})`,
    }
  );
}

function rank(error: IdracError): number {
  const index = TELLING.indexOf(error.code);
  return index === -1 ? TELLING.length : index;
}
