import { randomUUID } from 'node:crypto';

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsen: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  wxf: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
} as const;

const ANONYMOUS = `${NS.wsa}/role/anonymous`;
/** Dell's DCIM classes live under this prefix (DSP0226 resource URIs). */
export const DCIM = 'http://schemas.dell.com/wbem/wscim/1/cim-schema/2/';

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Identify (DSP0226 §11): no addressing headers and no authentication, just the empty request. */
export function identifyEnvelope(): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.s}" xmlns:wsmid="${NS.wsmid}">` +
    '<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>'
  );
}

/** Keys naming one instance (a service or a job), e.g. `{ InstanceID: 'JID_123' }`. */
export type Selectors = Record<string, string>;

function selectorSet(selectors: Selectors | undefined): string {
  if (!selectors || Object.keys(selectors).length === 0) return '';
  const items = Object.entries(selectors).map(
    ([name, value]) => `<wsman:Selector Name="${escapeXml(name)}">${escapeXml(value)}</wsman:Selector>`,
  );
  return `<wsman:SelectorSet>${items.join('')}</wsman:SelectorSet>`;
}

/** WS-Addressing + WS-Management headers every resource operation carries; `action` is a full URI. */
function envelope(to: string, resourceUri: string, action: string, body: string, selectors?: Selectors): string {
  const must = 's:mustUnderstand="true"';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS.s}" xmlns:wsa="${NS.wsa}" xmlns:wsen="${NS.wsen}" xmlns:wsman="${NS.wsman}">` +
    `<s:Header>` +
    `<wsa:To ${must}>${escapeXml(to)}</wsa:To>` +
    `<wsman:ResourceURI ${must}>${escapeXml(resourceUri)}</wsman:ResourceURI>` +
    `<wsa:ReplyTo><wsa:Address ${must}>${ANONYMOUS}</wsa:Address></wsa:ReplyTo>` +
    `<wsa:Action ${must}>${escapeXml(action)}</wsa:Action>` +
    `<wsman:MaxEnvelopeSize ${must}>512000</wsman:MaxEnvelopeSize>` +
    `<wsa:MessageID ${must}>uuid:${randomUUID()}</wsa:MessageID>` +
    `<wsman:OperationTimeout>PT60S</wsman:OperationTimeout>` +
    selectorSet(selectors) +
    `</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** Enumerate with OptimizeEnumeration: the first page rides along in the response. */
export function enumerateEnvelope(to: string, resourceUri: string, maxElements: number): string {
  return envelope(
    to,
    resourceUri,
    `${NS.wsen}/Enumerate`,
    `<wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>${maxElements}</wsman:MaxElements></wsen:Enumerate>`,
  );
}

export function pullEnvelope(to: string, resourceUri: string, context: string, maxElements: number): string {
  return envelope(
    to,
    resourceUri,
    `${NS.wsen}/Pull`,
    `<wsen:Pull><wsen:EnumerationContext>${escapeXml(context)}</wsen:EnumerationContext>` +
      `<wsen:MaxElements>${maxElements}</wsen:MaxElements></wsen:Pull>`,
  );
}

export function releaseEnvelope(to: string, resourceUri: string, context: string): string {
  return envelope(
    to,
    resourceUri,
    `${NS.wsen}/Release`,
    `<wsen:Release><wsen:EnumerationContext>${escapeXml(context)}</wsen:EnumerationContext></wsen:Release>`,
  );
}

/** WS-Transfer Get of one instance, named by its selectors. */
export function getEnvelope(to: string, resourceUri: string, selectors: Selectors): string {
  return envelope(to, resourceUri, `${NS.wxf}/Get`, '', selectors);
}

/**
 * A CIM method on one instance (DSP0226 §9: action = resource URI + method). `input` is the inner XML of
 * `<p:{method}_INPUT>`, whose elements use the prefix `p` of the class's namespace.
 */
export function invokeEnvelope(to: string, resourceUri: string, method: string, selectors: Selectors, input: string): string {
  const body = `<p:${method}_INPUT xmlns:p="${escapeXml(resourceUri)}">${input}</p:${method}_INPUT>`;
  return envelope(to, resourceUri, `${resourceUri}/${method}`, body, selectors);
}
