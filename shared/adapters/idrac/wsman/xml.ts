import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IdracError } from '../../../ports/idrac';

export type XmlNode = Record<string, unknown>;
/** A CIM property as read: text, null for `xsi:nil`, a list when the element repeats. */
export type CimValue = string | null | string[];

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Keep every value a string: versions like "1.0" and MAC-like text must not turn into numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Without it, numeric character references (&#39;, &#xA;) stay undecoded in values.
  htmlEntities: true,
});

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  return '';
}

export function child(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const key of path) current = isNode(current) ? current[key] : undefined;
  return current;
}

export function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** SOAP fault from a WS-Man service (DSP0226 §14): code, WS-Man subcode, reason, fault detail URI. */
export class WsmanFault extends IdracError {
  constructor(
    address: string,
    readonly faultCode: string,
    readonly subcode: string,
    readonly reason: string,
    readonly faultDetail: string | undefined,
    readonly httpStatus: number,
  ) {
    super(
      'protocol_fault',
      `iDRAC ${address} WS-Man fault ${subcode || faultCode}: ${reason || 'no reason given'}${faultDetail ? ` (${faultDetail})` : ''}`,
      address,
      { fault_code: faultCode, subcode, reason, ...(faultDetail ? { fault_detail: faultDetail } : {}), status: httpStatus },
    );
  }

  get invalidContext(): boolean {
    return /InvalidEnumerationContext$/.test(this.subcode);
  }

  get invalidResourceUri(): boolean {
    return /InvalidResourceURI$/.test(this.faultDetail ?? '') || /DestinationUnreachable$/.test(this.subcode);
  }
}

/** Parses a SOAP envelope; malformed XML or no Body → 'malformed_response'; a Fault → WsmanFault. */
export function parseEnvelope(xml: string, address: string, what: string, httpStatus: number): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new IdracError(
      'malformed_response',
      `iDRAC ${address} sent malformed XML for ${what}: ${valid.err.msg} (line ${valid.err.line})`,
      address,
      { what, length: xml.length },
    );
  }
  const body = child(parser.parse(xml), 'Envelope', 'Body');
  if (body === undefined)
    throw new IdracError('malformed_response', `iDRAC ${address} answered ${what} without a SOAP body`, address, { what });
  const fault = child(body, 'Fault');
  if (fault !== undefined) {
    throw new WsmanFault(
      address,
      textOf(child(fault, 'Code', 'Value')),
      textOf(child(fault, 'Code', 'Subcode', 'Value')),
      textOf(child(fault, 'Reason', 'Text')),
      textOf(child(fault, 'Detail', 'FaultDetail')) || undefined,
      httpStatus,
    );
  }
  return isNode(body) ? body : {};
}

/** One CIM instance as a flat property map. */
export function cimInstance(node: unknown): Record<string, CimValue> {
  const out: Record<string, CimValue> = {};
  if (!isNode(node)) return out;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) continue;
    if (Array.isArray(value)) out[key] = value.map(textOf);
    else if (isNode(value) && (value['@nil'] === 'true' || value['@xsi:nil'] === 'true')) out[key] = null;
    else out[key] = textOf(value);
  }
  return out;
}
