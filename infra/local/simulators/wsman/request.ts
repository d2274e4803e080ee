import { elementText, hasElement, unescapeXml } from './xml';

export const ENUMERATION = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';
export const TRANSFER_GET = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get';

export interface WsmanRequest {
  /** `invoke`: a CIM method, whose action is the resource URI + `/` + the method name. */
  kind: 'identify' | 'enumerate' | 'pull' | 'release' | 'get' | 'invoke' | 'other';
  action?: string;
  /** The header's selectors (which instance), by name. */
  selectors: Record<string, string>;
  /** The SOAP body's inner XML, for a method's input parameters. */
  body: string;
  resourceUri?: string;
  messageId?: string;
  optimize: boolean;
  maxElements?: number;
  context?: string;
}

/** Reads the few things the simulator needs from a SOAP 1.2 envelope; undefined if it is not one. */
export function parseWsmanRequest(xml: string): WsmanRequest | undefined {
  if (!hasElement(xml, 'Envelope') || !hasElement(xml, 'Body')) return undefined;
  const header = elementText(xml, 'Header') ?? '';
  const body = elementText(xml, 'Body') ?? '';
  const action = elementText(header, 'Action');
  const maxText = elementText(body, 'MaxElements');
  const maxElements = maxText !== undefined && /^\d+$/.test(maxText) ? Number(maxText) : undefined;
  const request: WsmanRequest = {
    kind: 'other',
    action,
    resourceUri: elementText(header, 'ResourceURI'),
    messageId: elementText(header, 'MessageID'),
    optimize: hasElement(body, 'OptimizeEnumeration'),
    maxElements,
    context: elementText(body, 'EnumerationContext'),
    selectors: selectorsOf(header),
    body,
  };
  // Identify carries no Action header, only <wsmid:Identify/> in the body (DSP0226 section 11).
  if (!action && hasElement(body, 'Identify')) request.kind = 'identify';
  else if (action === `${ENUMERATION}/Enumerate`) request.kind = 'enumerate';
  else if (action === `${ENUMERATION}/Pull`) request.kind = 'pull';
  else if (action === `${ENUMERATION}/Release`) request.kind = 'release';
  else if (action === TRANSFER_GET) request.kind = 'get';
  else if (action && request.resourceUri && action.startsWith(`${request.resourceUri}/`)) request.kind = 'invoke';
  return request;
}

function selectorsOf(xml: string): Record<string, string> {
  const selectors: Record<string, string> = {};
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?Selector\s+Name="([^"]+)"\s*>([^<]*)</g)) selectors[m[1]!] = unescapeXml(m[2]!.trim());
  return selectors;
}
