import { randomUUID } from 'node:crypto';
import { type Dispatcher, request } from 'undici';

/** Minimal WS-Man request builder for tests (the product's client lives elsewhere). */
const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration"';
export const DCIM = 'http://schemas.dell.com/wbem/wscim/1/cim-schema/2/';
const ENUM = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';

function envelope(url: string, action: string | undefined, resourceUri: string | undefined, body: string): string {
  const header = action
    ? `<wsa:To s:mustUnderstand="true">${url}</wsa:To>` +
      (resourceUri ? `<wsman:ResourceURI s:mustUnderstand="true">${resourceUri}</wsman:ResourceURI>` : '') +
      `<wsa:MessageID s:mustUnderstand="true">uuid:${randomUUID()}</wsa:MessageID>` +
      `<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>` +
      `<wsa:Action s:mustUnderstand="true">${action}</wsa:Action>`
    : '';
  return `<s:Envelope ${NS}><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

export const identifyXml = (url: string) =>
  envelope(url, undefined, undefined, '<wsmid:Identify xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"/>');

export const enumerateXml = (url: string, resourceUri: string, optimize?: number) =>
  envelope(
    url,
    `${ENUM}/Enumerate`,
    resourceUri,
    `<wsen:Enumerate>${optimize ? `<wsman:OptimizeEnumeration/><wsman:MaxElements>${optimize}</wsman:MaxElements>` : ''}</wsen:Enumerate>`,
  );

export const pullXml = (url: string, resourceUri: string, context: string, max: number) =>
  envelope(
    url,
    `${ENUM}/Pull`,
    resourceUri,
    `<wsen:Pull><wsen:EnumerationContext>${context}</wsen:EnumerationContext><wsman:MaxElements>${max}</wsman:MaxElements></wsen:Pull>`,
  );

export async function post(
  dispatcher: Dispatcher,
  url: string,
  xml: string,
  credentials?: [string, string],
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const headers: Record<string, string> = { 'content-type': 'application/soap+xml;charset=UTF-8' };
  if (credentials) headers.authorization = `Basic ${Buffer.from(credentials.join(':')).toString('base64')}`;
  const res = await request(url, { method: 'POST', headers, body: xml, dispatcher });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

export function textOf(xml: string, localName: string): string | undefined {
  return new RegExp(`<(?:[\\w-]+:)?${localName}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${localName}>`).exec(xml)?.[1];
}

/** Every `<n1:CLASS>...</n1:CLASS>` instance in a response, as property maps. */
export function instances(xml: string, className: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const match of xml.matchAll(new RegExp(`<n1:${className}>([\\s\\S]*?)</n1:${className}>`, 'g'))) {
    const props: Record<string, string> = {};
    for (const p of (match[1] ?? '').matchAll(/<n1:(\w+)(?:\s[^>]*)?(?:\/>|>([^<]*)<\/n1:\1>)/g)) {
      const name = p[1] ?? '';
      props[name] = name in props ? `${props[name]},${p[2] ?? ''}` : (p[2] ?? '');
    }
    out.push(props);
  }
  return out;
}

/** Enumerate then Pull (one at a time unless `max` says otherwise) until EndOfSequence. */
export async function enumerateAll(
  dispatcher: Dispatcher,
  url: string,
  resourceUri: string,
  credentials: [string, string],
  max = 1,
): Promise<{ pages: number; xml: string[] }> {
  const first = await post(dispatcher, url, enumerateXml(url, resourceUri), credentials);
  if (first.status !== 200) throw new Error(`enumerate ${first.status}: ${first.text}`);
  let context = textOf(first.text, 'EnumerationContext');
  const xml: string[] = [];
  let pages = 0;
  while (context) {
    const page = await post(dispatcher, url, pullXml(url, resourceUri, context, max), credentials);
    if (page.status !== 200) throw new Error(`pull ${page.status}: ${page.text}`);
    pages++;
    xml.push(page.text);
    context = /<wsen:EndOfSequence\/>/.test(page.text) ? undefined : textOf(page.text, 'EnumerationContext');
    if (pages > 500) throw new Error('runaway enumeration');
  }
  return { pages, xml };
}
