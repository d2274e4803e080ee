import { randomUUID } from 'node:crypto';
import { ENUMERATION } from './request';
import { escapeXml } from './xml';

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsen: ENUMERATION,
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
export const FAULT_ACTION = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault';

function envelope(header: string, body: string, extraNs = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<s:Envelope xmlns:s="${NS.s}" xmlns:wsa="${NS.wsa}" xmlns:wsen="${NS.wsen}" ` +
    `xmlns:wsman="${NS.wsman}" xmlns:xsi="${NS.xsi}"${extraNs}>` +
    `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

function addressing(action: string, relatesTo: string | undefined): string {
  return (
    `<wsa:To>${ANONYMOUS}</wsa:To><wsa:Action>${escapeXml(action)}</wsa:Action>` +
    (relatesTo ? `<wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` : '') +
    `<wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID>`
  );
}

export function identifyResponse(vendor: string, version: string): string {
  return envelope(
    '',
    `<wsmid:IdentifyResponse xmlns:wsmid="${NS.wsmid}">` +
      `<wsmid:ProtocolVersion>${NS.wsman}</wsmid:ProtocolVersion>` +
      `<wsmid:ProductVendor>${escapeXml(vendor)}</wsmid:ProductVendor>` +
      `<wsmid:ProductVersion>${escapeXml(version)}</wsmid:ProductVersion>` +
      `<wsmid:SecurityProfiles>` +
      `<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic</wsmid:SecurityProfileName>` +
      `</wsmid:SecurityProfiles>` +
      `</wsmid:IdentifyResponse>`,
  );
}

export interface ItemsPage {
  resourceUri: string;
  relatesTo?: string;
  items: string[];
  /** Context to pull from next; undefined once the sequence has ended. */
  context?: string;
}

/**
 * EnumerateResponse. With OptimizeEnumeration the first items ride along in `<wsman:Items>` (and an
 * empty context plus `<wsman:EndOfSequence/>` when they are all), as iDRACs answer dracclient.
 */
export function enumerateResponse(page: ItemsPage & { optimized: boolean }): string {
  const done = page.context === undefined;
  const body = page.optimized
    ? `<wsen:EnumerateResponse><wsman:Items>${page.items.join('')}</wsman:Items>` +
      (done ? `<wsen:EnumerationContext/><wsman:EndOfSequence/>` : `<wsen:EnumerationContext>${page.context}</wsen:EnumerationContext>`) +
      `</wsen:EnumerateResponse>`
    : `<wsen:EnumerateResponse><wsen:EnumerationContext>${page.context ?? ''}</wsen:EnumerationContext></wsen:EnumerateResponse>`;
  return envelope(addressing(`${ENUMERATION}/EnumerateResponse`, page.relatesTo), body, ` xmlns:n1="${escapeXml(page.resourceUri)}"`);
}

export function pullResponse(page: ItemsPage): string {
  const tail = page.context === undefined ? '<wsen:EndOfSequence/>' : '';
  const context = page.context === undefined ? '' : `<wsen:EnumerationContext>${page.context}</wsen:EnumerationContext>`;
  return envelope(
    addressing(`${ENUMERATION}/PullResponse`, page.relatesTo),
    `<wsen:PullResponse>${context}<wsen:Items>${page.items.join('')}</wsen:Items>${tail}</wsen:PullResponse>`,
    ` xmlns:n1="${escapeXml(page.resourceUri)}"`,
  );
}

export function releaseResponse(relatesTo: string | undefined): string {
  return envelope(addressing(`${ENUMERATION}/ReleaseResponse`, relatesTo), '');
}

export interface FaultSpec {
  code: 'Sender' | 'Receiver';
  subcode: string;
  reason: string;
  detail?: string;
  action?: string;
  relatesTo?: string;
}

/** A SOAP 1.2 fault with WS-Management subcode and optional wsman:FaultDetail (DSP0226 section 14). */
export function faultResponse(fault: FaultSpec): string {
  const detail = fault.detail ? `<s:Detail><wsman:FaultDetail>${fault.detail}</wsman:FaultDetail></s:Detail>` : '';
  return envelope(
    addressing(fault.action ?? FAULT_ACTION, fault.relatesTo),
    `<s:Fault><s:Code><s:Value>s:${fault.code}</s:Value><s:Subcode><s:Value>${fault.subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${escapeXml(fault.reason)}</s:Text></s:Reason>${detail}</s:Fault>`,
  );
}

/** A Get's answer: the instance itself in the body. */
export function getResponse(resourceUri: string, relatesTo: string | undefined, instance: string): string {
  return envelope(
    addressing('http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', relatesTo),
    instance,
    ` xmlns:n1="${escapeXml(resourceUri)}"`,
  );
}

/** A CIM method's answer: `<n1:{method}_OUTPUT>` with its output parameters (already XML). */
export function methodResponse(resourceUri: string, method: string, relatesTo: string | undefined, output: string): string {
  return envelope(
    addressing(`${resourceUri}/${method}Response`, relatesTo),
    `<n1:${method}_OUTPUT>${output}</n1:${method}_OUTPUT>`,
    ` xmlns:n1="${escapeXml(resourceUri)}"`,
  );
}

/** A reference to a job as Dell's methods return it (an endpoint reference whose selector names the JID). */
export function jobReference(jobId: string, jobClass = 'DCIM_LifecycleJob'): string {
  return (
    `<wsa:EndpointReference><wsa:Address>${ANONYMOUS}</wsa:Address><wsa:ReferenceParameters>` +
    `<wsman:ResourceURI>http://schemas.dell.com/wbem/wscim/1/cim-schema/2/${jobClass}</wsman:ResourceURI>` +
    `<wsman:SelectorSet><wsman:Selector Name="InstanceID">${escapeXml(jobId)}</wsman:Selector>` +
    `<wsman:Selector Name="__cimnamespace">root/dcim</wsman:Selector></wsman:SelectorSet>` +
    `</wsa:ReferenceParameters></wsa:EndpointReference>`
  );
}
