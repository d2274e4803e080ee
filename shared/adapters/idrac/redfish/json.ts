import { IdracError } from '../../../ports/idrac';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse with an error that says which iDRAC and resource sent what could not be read. */
export function parseJson(text: string, address: string, path: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IdracError(
      'malformed_response',
      `iDRAC ${address} sent malformed JSON for ${path}: ${(error as Error).message}`,
      address,
      { path, length: text.length },
      { cause: error },
    );
  }
  if (!isObject(value))
    throw new IdracError('malformed_response', `iDRAC ${address} sent a non-object JSON body for ${path}`, address, { path });
  return value;
}

/** The first ExtendedInfo message of a Redfish error (or success) body, as iDRACs write them. */
export function redfishMessage(text: string): { messageId?: string; detail?: string } {
  try {
    const body: unknown = JSON.parse(text);
    if (!isObject(body)) return {};
    const holder = isObject(body.error) ? body.error : body;
    const info = holder['@Message.ExtendedInfo'];
    const first = Array.isArray(info) && isObject(info[0]) ? info[0] : undefined;
    const messageId = typeof first?.MessageId === 'string' ? first.MessageId : undefined;
    const detail = typeof first?.Message === 'string' ? first.Message : typeof holder.message === 'string' ? holder.message : undefined;
    return { messageId, detail };
  } catch {
    return {};
  }
}

export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isObject(current) ? current[key] : undefined;
  return current;
}
