import { type IdracCredential, IdracError, IdracHttpError, type IdracTarget } from '../../../ports/idrac';
import type { IdracLog } from '../options';
import type { HttpResponse, HttpTransport, SendOptions } from '../transport/http';
import {
  DCIM,
  enumerateEnvelope,
  getEnvelope,
  identifyEnvelope,
  invokeEnvelope,
  pullEnvelope,
  releaseEnvelope,
  type Selectors,
} from './envelope';
import { asList, type CimValue, child, cimInstance, isNode, parseEnvelope, textOf, type XmlNode } from './xml';

export interface WsmanIdentity {
  vendor: string;
  version: string;
  protocolVersion: string;
}

export type DcimClass =
  | 'DCIM_SystemView'
  | 'DCIM_iDRACCardView'
  | 'DCIM_SoftwareIdentity'
  | 'DCIM_NICView'
  | 'DCIM_LifecycleJob'
  | 'DCIM_iDRACCardString';

/** Dell's services, each a CIM class whose one instance is named by these selectors (Dell's fixed values). */
export type DcimService =
  | 'DCIM_LCService'
  | 'DCIM_SoftwareInstallationService'
  | 'DCIM_JobService'
  | 'DCIM_CSPowerManagementService'
  | 'DCIM_iDRACCardService';

/** The selectors naming each service's one instance. */
export const SERVICE_SELECTORS: Record<DcimService, Selectors> = {
  DCIM_LCService: {
    CreationClassName: 'DCIM_LCService',
    SystemCreationClassName: 'DCIM_ComputerSystem',
    SystemName: 'DCIM:ComputerSystem',
    Name: 'DCIM:LCService',
  },
  DCIM_SoftwareInstallationService: {
    CreationClassName: 'DCIM_SoftwareInstallationService',
    SystemCreationClassName: 'DCIM_ComputerSystem',
    SystemName: 'IDRAC:ID',
    Name: 'SoftwareUpdate',
  },
  DCIM_JobService: {
    CreationClassName: 'DCIM_JobService',
    SystemCreationClassName: 'DCIM_ComputerSystem',
    SystemName: 'Idrac',
    Name: 'JobService',
  },
  DCIM_CSPowerManagementService: {
    CreationClassName: 'DCIM_CSPowerManagementService',
    SystemCreationClassName: 'DCIM_SPComputerSystem',
    SystemName: 'systemmc',
    Name: 'pwrmgtsvc:1',
  },
  DCIM_iDRACCardService: {
    SystemCreationClassName: 'DCIM_ComputerSystem',
    CreationClassName: 'DCIM_iDRACCardService',
    SystemName: 'DCIM:ComputerSystem',
    Name: 'DCIM:iDRACCardService',
  },
};

const PATH = '/wsman';
const SOAP_HEADERS = { 'content-type': 'application/soap+xml;charset=UTF-8', accept: 'application/soap+xml' };
// Enumerate pages are bounded by the page size; this only stops a service that never ends a sequence.
const MAX_PULLS = 1_000;

/** Subcode and reason of a SOAP fault in an error body, for the error message of a 5xx. */
function describeFault(text: string): { messageId?: string; detail?: string } {
  const subcode = /<(?:\w+:)?Subcode>\s*<(?:\w+:)?Value>([^<]*)</.exec(text)?.[1];
  const reason = /<(?:\w+:)?Text[^>]*>([^<]*)</.exec(text)?.[1];
  return { messageId: subcode?.trim(), detail: reason?.trim() };
}

/**
 * WS-Management over HTTPS (SOAP 1.2, WS-Addressing, WS-Enumeration) as iDRAC7/8 speak it, on the same
 * pools and per-iDRAC policies as Redfish. Identify and Enumerate are reads (Enumerate at worst leaves a
 * context the iDRAC expires), so they are retried like GETs; Pull moves the context on and is never retried.
 */
export class WsmanClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly log: IdracLog,
  ) {}

  /** Identify needs no credential; it says which WS-Man stack answers. */
  async identify(target: IdracTarget, port: number, guard: Pick<SendOptions, 'retry' | 'breaker' | 'lane'>): Promise<WsmanIdentity> {
    const response = await this.post(target, port, identifyEnvelope(), undefined, guard);
    this.expectOk(target, response, 'Identify');
    const body = parseEnvelope(response.text, target.address, 'Identify', response.status);
    const identify = child(body, 'IdentifyResponse');
    if (!isNode(identify))
      throw new IdracError('malformed_response', `iDRAC ${target.address} answered Identify without an IdentifyResponse`, target.address);
    return {
      vendor: textOf(identify.ProductVendor),
      version: textOf(identify.ProductVersion),
      protocolVersion: textOf(identify.ProtocolVersion),
    };
  }

  /** Every instance of a DCIM class: Enumerate, then Pull with the context until EndOfSequence. */
  async enumerate(
    target: IdracTarget,
    port: number,
    credential: IdracCredential,
    cls: DcimClass,
    pageSize: number,
  ): Promise<Array<Record<string, CimValue>>> {
    const resourceUri = `${DCIM}${cls}`;
    const to = `https://${target.address}:${port}${PATH}`;
    const first = await this.call(target, port, credential, enumerateEnvelope(to, resourceUri, pageSize), `Enumerate ${cls}`, true);
    const enumerateResponse = child(first, 'EnumerateResponse');
    const instances = this.items(enumerateResponse, cls);
    let context = textOf(child(enumerateResponse, 'EnumerationContext'));
    let ended = isNode(enumerateResponse) && 'EndOfSequence' in enumerateResponse;
    for (let pulls = 0; !ended && context; pulls++) {
      if (pulls >= MAX_PULLS) {
        await this.release(target, port, credential, to, resourceUri, context);
        throw new IdracError('malformed_response', `iDRAC ${target.address} never ended the ${cls} enumeration`, target.address);
      }
      const page = child(
        await this.call(target, port, credential, pullEnvelope(to, resourceUri, context, pageSize), `Pull ${cls}`, false),
        'PullResponse',
      );
      instances.push(...this.items(page, cls));
      ended = isNode(page) && 'EndOfSequence' in page;
      const next = textOf(child(page, 'EnumerationContext'));
      if (!ended && !next)
        throw new IdracError('malformed_response', `iDRAC ${target.address} dropped the ${cls} enumeration context`, target.address);
      context = next || context;
    }
    return instances;
  }

  /** One instance by its selectors (e.g. a DCIM_LifecycleJob by InstanceID); a retried read. */
  async get(
    target: IdracTarget,
    port: number,
    credential: IdracCredential,
    cls: DcimClass,
    selectors: Selectors,
  ): Promise<Record<string, CimValue>> {
    const to = `https://${target.address}:${port}${PATH}`;
    const body = await this.call(target, port, credential, getEnvelope(to, `${DCIM}${cls}`, selectors), `Get ${cls}`, true);
    return cimInstance(child(body, cls));
  }

  /**
   * A method of a Dell service (never retried: it acts). Answers the `{method}_OUTPUT` element as parsed XML,
   * for the caller to read ReturnValue, messages and job references from.
   */
  async invoke(
    target: IdracTarget,
    port: number,
    credential: IdracCredential,
    service: DcimService,
    selectors: Selectors,
    method: string,
    input: string,
  ): Promise<XmlNode> {
    const to = `https://${target.address}:${port}${PATH}`;
    const envelope = invokeEnvelope(to, `${DCIM}${service}`, method, selectors, input);
    const body = await this.call(target, port, credential, envelope, `${service}.${method}`, false);
    const output = child(body, `${method}_OUTPUT`);
    if (!isNode(output))
      throw new IdracError('malformed_response', `iDRAC ${target.address} answered ${service}.${method} without an output`, target.address);
    return output;
  }

  private items(response: unknown, cls: DcimClass): Array<Record<string, CimValue>> {
    return asList(child(response, 'Items', cls)).map(cimInstance);
  }

  private async release(
    target: IdracTarget,
    port: number,
    credential: IdracCredential,
    to: string,
    resourceUri: string,
    context: string,
  ): Promise<void> {
    try {
      await this.call(target, port, credential, releaseEnvelope(to, resourceUri, context), 'Release', false);
    } catch (error) {
      this.log.debug('WS-Man Release failed', { idrac: target.address, error: (error as Error).message });
    }
  }

  private async call(
    target: IdracTarget,
    port: number,
    credential: IdracCredential,
    envelope: string,
    what: string,
    retry: boolean,
  ): Promise<XmlNode> {
    const response = await this.post(target, port, envelope, credential, { retry });
    if (response.status === 401)
      throw new IdracHttpError(target.address, 401, 'POST', `${PATH} (${what})`, undefined, 'credential rejected');
    // Sender faults come as 400 with a SOAP body: let the envelope parser turn them into WsmanFault.
    if (response.status !== 400) this.expectOk(target, response, what);
    return parseEnvelope(response.text, target.address, what, response.status);
  }

  private expectOk(target: IdracTarget, response: HttpResponse, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    throw new IdracHttpError(target.address, response.status, 'POST', `${PATH} (${what})`);
  }

  private post(
    target: IdracTarget,
    port: number,
    envelope: string,
    credential: IdracCredential | undefined,
    guard: Pick<SendOptions, 'retry' | 'breaker' | 'lane'>,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...SOAP_HEADERS };
    if (credential) headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    return this.http.send(target, port, { method: 'POST', path: PATH, headers, body: envelope }, { ...guard, describe: describeFault });
  }
}
