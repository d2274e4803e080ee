import type { Json } from '../fixtures/load';
import type { SimReply } from '../net/http-types';
import { registryMessage } from '../state/messages';

/** What a Redfish route returns: JSON as data, so $expand/$select can work on it before it is serialized. */
export interface RedfishResult {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

const JSON_HEADERS = {
  'content-type': 'application/json;odata.metadata=minimal;charset=utf-8',
  'odata-version': '4.0',
  'cache-control': 'no-cache',
  server: 'Apache',
};

export function ok(body: Json, headers?: Record<string, string>): RedfishResult {
  return { status: 200, body, headers };
}

export function toReply(result: RedfishResult): SimReply {
  if (result.body === undefined) return { status: result.status, headers: { server: 'Apache', ...result.headers } };
  return { status: result.status, headers: { ...JSON_HEADERS, ...result.headers }, body: JSON.stringify(result.body) };
}

function extendedInfo(key: string, args: string[]): Json {
  const m = registryMessage(key, args);
  return {
    Message: m.message,
    MessageArgs: m.args,
    'MessageArgs@odata.count': m.args.length,
    MessageId: m.messageId,
    RelatedProperties: [],
    'RelatedProperties@odata.count': 0,
    Resolution: m.resolution,
    Severity: m.severity,
  };
}

/**
 * The iDRAC's error shape (e.g. the 503 RAC0218 body peers quote): Base GeneralError wrapping one
 * ExtendedInfo message from the iDRAC or Base registry.
 */
export function redfishError(status: number, key: string, args: string[] = [], headers?: Record<string, string>): RedfishResult {
  const general = registryMessage('Base.GeneralError');
  return {
    status,
    headers,
    body: {
      error: {
        '@Message.ExtendedInfo': [extendedInfo(key, args)],
        code: general.messageId,
        message: 'A general error has occurred. See ExtendedInfo for more information',
      },
    },
  };
}

/** A success body carrying one message (SYS413 "The operation successfully completed."). */
export function successInfo(status: number, key = 'SYS413', headers?: Record<string, string>): RedfishResult {
  return { status, headers, body: { '@Message.ExtendedInfo': [extendedInfo(key, [])] } };
}

export function members(paths: string[]): Json {
  return paths.map((path) => ({ '@odata.id': path }));
}
