import type { CapabilityFingerprint, IdracErrorInfo, IdracProtocol } from '../../domain/idrac';
import { IdracError, type IdracTarget } from '../../ports/idrac';
import { guessGeneration } from './generation';
import { DEFAULT_REDFISH_PORT, DEFAULT_WSMAN_PORT } from './options';
import { parseJson } from './redfish/json';
import { ROOT } from './redfish/paths';
import { type RecentServiceRoots, readServiceRoot } from './redfish/service-root';
import type { EndpointPools } from './transport/endpoint-pools';
import type { HttpTransport } from './transport/http';
import type { WsmanClient, WsmanIdentity } from './wsman/wsman-client';

type Outcome<T> = { kind: 'answered'; value: T } | { kind: 'absent' } | { kind: 'failed'; error: IdracError };

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

/** Redfish service root, unauthenticated. A plain 404 means "no Redfish here" (iDRAC7, old iDRAC8 firmware). */
async function probeRedfish(
  deps: ProbeDeps,
  target: IdracTarget,
  port: number,
): Promise<Outcome<{ version: string; serviceTag?: string }>> {
  try {
    // One attempt: a sweep must not multiply its time on dead addresses; the next sweep tries again.
    const response = await deps.http.send(
      target,
      port,
      { method: 'GET', path: ROOT, headers: { accept: 'application/json' } },
      { retry: false },
    );
    if (response.status === 404) return { kind: 'absent' };
    // Some hardened services want credentials even for the root: Redfish is there, its version unknown.
    if (response.status === 401) return { kind: 'answered', value: { version: '' } };
    if (response.status !== 200) return { kind: 'absent' };
    const root = readServiceRoot(parseJson(response.text, target.address, ROOT));
    deps.roots.remember(target.address, port, root);
    return { kind: 'answered', value: { version: root.version, serviceTag: root.serviceTag } };
  } catch (error) {
    return { kind: 'failed', error: asIdracError(error, target.address) };
  }
}

async function probeWsman(deps: ProbeDeps, target: IdracTarget, port: number): Promise<Outcome<WsmanIdentity>> {
  try {
    return { kind: 'answered', value: await deps.wsman.identify(target, port, false) };
  } catch (error) {
    const e = asIdracError(error, target.address);
    // Nothing on that path (an iDRAC9 without WS-Man on this port answers 404 or 405).
    if (e.code === 'not_found' || e.details.status === 405) return { kind: 'absent' };
    return { kind: 'failed', error: e };
  }
}

/**
 * The capability fingerprint: both protocols tried at once (a dead address then costs one timeout, not
 * two), what answered recorded, the generation guessed, and the TLS facts of the handshake kept even when
 * the certificate was refused (so discovery can show it, or pin it on first use when the site allows).
 */
export async function probeEndpoint(deps: ProbeDeps, target: IdracTarget): Promise<CapabilityFingerprint> {
  const redfishPort = target.redfishPort ?? DEFAULT_REDFISH_PORT;
  const wsmanPort = target.wsmanPort ?? DEFAULT_WSMAN_PORT;
  const [redfish, wsman] = await Promise.all([probeRedfish(deps, target, redfishPort), probeWsman(deps, target, wsmanPort)]);

  const protocols: CapabilityFingerprint['protocols'] = {};
  if (redfish.kind === 'answered') protocols.redfish = { version: redfish.value.version, port: redfishPort };
  if (wsman.kind === 'answered') protocols.wsman = { product: wsman.value.vendor, version: wsman.value.version, port: wsmanPort };
  const reachable = redfish.kind === 'answered' || wsman.kind === 'answered';

  const failures: Partial<Record<IdracProtocol, IdracError>> = {};
  if (redfish.kind === 'failed') failures.redfish = redfish.error;
  if (wsman.kind === 'failed') failures.wsman = wsman.error;
  // A port nobody listens on is "not offered" once the other protocol answered.
  const relevant = Object.entries(failures).filter(([, e]) => !(reachable && e.code === 'unreachable')) as Array<
    [IdracProtocol, IdracError]
  >;
  const protocolErrors = Object.fromEntries(relevant.map(([p, e]) => [p, e.toInfo()])) as Partial<Record<IdracProtocol, IdracErrorInfo>>;

  const ranked = relevant.map(([, e]) => e).sort((a, b) => rank(a) - rank(b));
  const refusedCertificate = ranked.find((e) => CERTIFICATE.includes(e.code));
  let error: IdracErrorInfo | undefined;
  if (!reachable) {
    error = ranked[0]?.toInfo() ?? {
      code: 'not_supported',
      message: `${target.address} answers HTTPS but offers neither Redfish (port ${redfishPort}) nor WS-Man (port ${wsmanPort})`,
    };
  } else if (refusedCertificate) {
    error = refusedCertificate.toInfo();
  }

  const { generation, basis } = guessGeneration(protocols.redfish?.version, !!protocols.wsman);
  const tls = deps.pools.tlsFacts(target, redfishPort) ?? deps.pools.tlsFacts(target, wsmanPort);
  const serviceTag = redfish.kind === 'answered' ? redfish.value.serviceTag : undefined;
  return {
    address: target.address,
    reachable,
    protocols,
    generation: reachable ? generation : 'unknown',
    generation_basis: reachable ? basis : 'none',
    ...(serviceTag ? { service_tag: serviceTag } : {}),
    ...(tls ? { tls } : {}),
    ...(error ? { error } : {}),
    ...(Object.keys(protocolErrors).length ? { protocol_errors: protocolErrors } : {}),
  };
}

function rank(error: IdracError): number {
  const index = TELLING.indexOf(error.code);
  return index === -1 ? TELLING.length : index;
}
