/**
 * SOAP 1.1 envelopes for vim25, written by hand: a request is a method element holding `_this` and the
 * arguments in schema order. Argument values encode as:
 *   string/number/bigint/boolean → text; Date → ISO 8601; array → the element repeated;
 *   {type, value} → a ManagedObjectReference; an object → its fields in insertion order (which must be
 *   the schema's order), with `_type` written as xsi:type (so decoded objects re-encode as they came) and
 *   `_value` as text content (e.g. { _type: 'xsd:string', _value: 'x' } for an xsd:anyType argument).
 */
import { decodeValue, xsiType } from './decode';
import { faultError, VSphereProtocolError } from './errors';
import { type FaultInfo, isMoRef, type MoRef } from './types';
import { child, childText, parseXml, type XmlNode } from './xml-parse';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export type Args = Record<string, unknown>;

export function requestEnvelope(method: string, self: MoRef, args: Args = {}): string {
  const out: string[] = [ENVELOPE_OPEN, `<${method} xmlns="urn:vim25">`];
  writeElement(out, '_this', self);
  for (const [name, value] of Object.entries(args)) writeElement(out, name, value);
  out.push(`</${method}>`, ENVELOPE_CLOSE);
  return out.join('');
}

function writeElement(out: string[], name: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const item of v) writeElement(out, name, item);
    return;
  }
  switch (typeof v) {
    case 'string':
      out.push(`<${name}>${escapeXml(v)}</${name}>`);
      return;
    case 'number':
    case 'bigint':
    case 'boolean':
      out.push(`<${name}>${String(v)}</${name}>`);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot encode ${typeof v} as <${name}>`);
  }
  if (v instanceof Date) {
    out.push(`<${name}>${v.toISOString()}</${name}>`);
    return;
  }
  if (isMoRef(v)) {
    out.push(`<${name} type="${escapeXml(v.type)}">${escapeXml(v.value)}</${name}>`);
    return;
  }
  const { _type, _value, ...fields } = v as Record<string, unknown>;
  out.push(typeof _type === 'string' ? `<${name} xsi:type="${escapeXml(_type)}">` : `<${name}>`);
  if (_value !== undefined) out.push(escapeXml(String(_value)));
  else for (const [k, fv] of Object.entries(fields)) writeElement(out, k, fv);
  out.push(`</${name}>`);
}

/**
 * The `<MethodResponse>` element of a SOAP answer; throws the typed fault if the answer is a fault.
 * Returns undefined when the body is not SOAP at all (the caller reports the HTTP status instead).
 */
export function responseBody(xml: string, method: string): XmlNode | undefined {
  let doc: XmlNode;
  try {
    doc = parseXml(xml);
  } catch {
    return undefined;
  }
  const body = child(child(doc, 'Envelope') ?? doc, 'Body');
  if (!body) return undefined;
  const fault = child(body, 'Fault');
  if (fault) throw faultError(soapFault(fault));
  const response = body.children[0];
  if (!response || response.name !== `${method}Response`) {
    throw new VSphereProtocolError(`Expected ${method}Response, got ${response?.name ?? 'an empty body'}`);
  }
  return response;
}

function soapFault(fault: XmlNode): FaultInfo {
  const message = childText(fault, 'faultstring') ?? '';
  const detail = child(fault, 'detail')?.children[0];
  if (!detail) return { type: childText(fault, 'faultcode') ?? 'SoapFault', message, detail: {} };
  return { ...methodFault(detail), message };
}

/** A MethodFault element (SOAP fault detail or LocalizedMethodFault.fault). */
export function methodFault(node: XmlNode): FaultInfo {
  const type = xsiType(node) ?? node.name.replace(/Fault$/, '');
  const decoded = node.children.length ? decodeValue(node, type) : {};
  const { _type, ...detail } = decoded as Record<string, unknown>;
  return { type, detail };
}

/** A LocalizedMethodFault: { fault: MethodFault, localizedMessage }. */
export function localizedFault(node: XmlNode): FaultInfo {
  const inner = child(node, 'fault');
  const message = childText(node, 'localizedMessage');
  const info = inner ? methodFault(inner) : { type: 'MethodFault', detail: {} };
  return message === undefined ? info : { ...info, message };
}
