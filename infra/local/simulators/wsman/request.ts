import { elementText, hasElement } from './xml';

export const ENUMERATION = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';

export interface WsmanRequest {
  kind: 'identify' | 'enumerate' | 'pull' | 'release' | 'other';
  action?: string;
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
  };
  // Identify carries no Action header, only <wsmid:Identify/> in the body (DSP0226 section 11).
  if (!action && hasElement(body, 'Identify')) request.kind = 'identify';
  else if (action === `${ENUMERATION}/Enumerate`) request.kind = 'enumerate';
  else if (action === `${ENUMERATION}/Pull`) request.kind = 'pull';
  else if (action === `${ENUMERATION}/Release`) request.kind = 'release';
  return request;
}
