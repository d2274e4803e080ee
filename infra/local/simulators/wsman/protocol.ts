import type { Protocol, SimReply, SimRequest } from '../net/http-types';
import type { Account } from '../state/accounts';
import type { SimulatedHost } from '../state/host';
import { CARD_SERVICE_URI, setAttribute } from './card-service';
import { classForResourceUri } from './classes';
import { EnumerationContexts } from './enumerations';
import {
  enumerateResponse,
  type FaultSpec,
  faultResponse,
  getResponse,
  identifyResponse,
  methodResponse,
  pullResponse,
  releaseResponse,
} from './envelope';
import { getLifecycleJob, invokeMethod } from './methods';
import { ENUMERATION, parseWsmanRequest, type WsmanRequest } from './request';
import { cimInstance } from './xml';

export const WSMAN_PATH = '/wsman';
const SOAP = { 'content-type': 'application/soap+xml;charset=UTF-8' };
const INVALID_RESOURCE_URI = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI';

export interface WsmanIdentity {
  /**
   * What Identify reports. iDRAC7/8 are recalled (not verified against a capture) to answer
   * "Fujitsu Technology Solutions" / "1.0", their WS-Man stack's vendor; override if that matters.
   */
  productVendor: string;
  productVersion: string;
}

export const DEFAULT_WSMAN_IDENTITY: WsmanIdentity = { productVendor: 'Fujitsu Technology Solutions', productVersion: '1.0' };

function soap(status: number, body: string): SimReply {
  return { status, headers: SOAP, body };
}

// Sender faults are HTTP 400 and receiver faults 500 (SOAP 1.2 HTTP binding), as openwsman-based iDRACs answer.
function fault(spec: FaultSpec): SimReply {
  return soap(spec.code === 'Sender' ? 400 : 500, faultResponse(spec));
}

function notSupported(request: WsmanRequest): SimReply {
  return fault({
    code: 'Sender',
    subcode: 'wsa:ActionNotSupported',
    reason: 'The action is not supported by the service.',
    relatesTo: request.messageId,
  });
}

function basicAuth(req: SimRequest, host: SimulatedHost): Account | undefined {
  const value = req.headers.authorization;
  if (typeof value !== 'string' || !value.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(value.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? host.accounts.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
}

/**
 * WS-Management (SOAP 1.2 over HTTPS) like an iDRAC8: Identify without auth; with basic auth Enumerate/Pull/
 * Release, Get of a job, and the Lifecycle Controller methods (methods.ts).
 */
export function createWsmanProtocol(host: SimulatedHost, identity: WsmanIdentity = DEFAULT_WSMAN_IDENTITY): Protocol & { reset(): void } {
  const contexts = new EnumerationContexts();

  function enumerate(request: WsmanRequest): SimReply {
    const cls = classForResourceUri(request.resourceUri);
    if (!cls || !request.resourceUri) {
      return fault({
        code: 'Sender',
        subcode: 'wsa:DestinationUnreachable',
        reason: 'No route can be determined to reach the destination role defined by the WS-Addressing To.',
        detail: INVALID_RESOURCE_URI,
        relatesTo: request.messageId,
      });
    }
    const items = cls.provider(host).map((properties) => cimInstance('n1', cls.name, properties));
    // WS-Management: MaxElements defaults to 1 when absent.
    const first = request.optimize ? items.slice(0, request.maxElements ?? 1) : [];
    const context = contexts.openWith(request.resourceUri, items, first.length);
    return soap(
      200,
      enumerateResponse({
        resourceUri: request.resourceUri,
        relatesTo: request.messageId,
        items: first,
        context,
        optimized: request.optimize,
      }),
    );
  }

  function pull(request: WsmanRequest): SimReply {
    const page = request.context ? contexts.pull(request.context, request.maxElements ?? 1) : undefined;
    if (!page) {
      return fault({
        code: 'Sender',
        subcode: 'wsen:InvalidEnumerationContext',
        reason: 'The supplied enumeration context is invalid.',
        action: `${ENUMERATION}/fault`,
        relatesTo: request.messageId,
      });
    }
    return soap(200, pullResponse({ ...page, relatesTo: request.messageId }));
  }

  function route(req: SimRequest): SimReply {
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    const request = parseWsmanRequest(req.body.toString('utf8'));
    if (!request) {
      return fault({
        code: 'Sender',
        subcode: 'wsman:SchemaValidationError',
        reason: 'The SOAP XML in the message does not match the corresponding XML schema definition.',
      });
    }
    if (request.kind === 'identify') return soap(200, identifyResponse(identity.productVendor, identity.productVersion));
    // iDRACs answer a bad or missing basic credential with a bare HTTP 401, not a SOAP fault.
    const caller = basicAuth(req, host);
    if (!caller) return { status: 401, headers: { 'www-authenticate': 'Basic realm="OPENWSMAN"' } };
    switch (request.kind) {
      case 'enumerate':
        return enumerate(request);
      case 'pull':
        return pull(request);
      case 'release':
        if (request.context) contexts.release(request.context);
        return soap(200, releaseResponse(request.messageId));
      case 'get': {
        // Only jobs are read one by one here; other classes are enumerated.
        if (classForResourceUri(request.resourceUri)?.name !== 'DCIM_LifecycleJob') return notSupported(request);
        const instance = getLifecycleJob(host, request.selectors);
        if (instance) return soap(200, getResponse(request.resourceUri ?? '', request.messageId, instance));
        return fault({
          code: 'Sender',
          subcode: 'wsman:InvalidSelectors',
          reason: 'The Selectors for the resource are not valid.',
          relatesTo: request.messageId,
        });
      }
      case 'invoke': {
        const resourceUri = request.resourceUri ?? '';
        const method = (request.action ?? '').slice(resourceUri.length + 1);
        // Setting a password needs to know who asks (an administrator, or the user themself).
        if (resourceUri === CARD_SERVICE_URI && method === 'SetAttribute')
          return soap(200, methodResponse(resourceUri, method, request.messageId, setAttribute(host, caller, request.body)));
        const answer = invokeMethod(host, resourceUri, method, request.body);
        if ('output' in answer) return soap(200, methodResponse(resourceUri, method, request.messageId, answer.output));
        return notSupported(request);
      }
      default:
        return notSupported(request);
    }
  }

  return {
    route,
    serverError: (status) =>
      soap(
        status,
        faultResponse({
          code: 'Receiver',
          subcode: 'wsman:InternalError',
          reason: 'The service cannot comply with the request due to internal processing errors.',
        }),
      ),
    reset: () => contexts.clear(),
  };
}
