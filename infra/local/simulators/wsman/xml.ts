/** Small XML helpers: responses are written from templates, requests read with tolerant regexes. */

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

export type CimValue = string | number | boolean | null | string[];

/** One CIM property as iDRAC writes it: `<n1:Name>v</n1:Name>`, `xsi:nil` for null, repeated for arrays. */
export function cimProperty(prefix: string, name: string, value: CimValue): string {
  if (value === null) return `<${prefix}:${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) return value.map((v) => cimProperty(prefix, name, v)).join('');
  if (value === '') return `<${prefix}:${name}/>`;
  return `<${prefix}:${name}>${escapeXml(String(value))}</${prefix}:${name}>`;
}

/** A CIM instance, properties in name order as the iDRAC lists them. */
export function cimInstance(prefix: string, className: string, properties: Record<string, CimValue>): string {
  const body = Object.keys(properties)
    .sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
    .map((name) => cimProperty(prefix, name, properties[name] ?? null))
    .join('');
  return `<${prefix}:${className}>${body}</${prefix}:${className}>`;
}

/** Text of the first element with this local name, whatever its prefix. */
export function elementText(xml: string, localName: string): string | undefined {
  const match = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}\\s*>`).exec(xml);
  return match ? unescapeXml(match[1] ?? '').trim() : undefined;
}

export function hasElement(xml: string, localName: string): boolean {
  return new RegExp(`<(?:[\\w.-]+:)?${localName}[\\s/>]`).test(xml);
}
