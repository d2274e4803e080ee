/**
 * Decodes the request body for the route function: at most MAX_BODY_BYTES (413 above), JSON (400 with a
 * clear message when malformed, 415 when it is neither JSON nor declared as something a JSON body may be),
 * or, declared `text/csv`, `application/xml` or `text/xml`, the text as it came.
 */
import type { MiddlewareObj } from '@middy/core';
import { config } from '../../config';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../domain/errors';
import type { ApiContext, ApiEvent } from '../request';
import type { ApiResult } from '../respond';

function decodeBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const limit = config().maxBodyBytes;
  if (Buffer.byteLength(raw) > limit) throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  const type = event.headers?.['content-type'] ?? '';
  // CSV imports (IPAM allocations) and XML ones (Dell firmware catalogs) reach their route as the text itself.
  if (/^(text\/csv|application\/xml|text\/xml)\b/i.test(type)) return raw;
  // curl -d without -H sends application/x-www-form-urlencoded; the runbook does exactly that, so a body
  // that is JSON is accepted whatever the declared type, and anything else is refused clearly.
  try {
    return JSON.parse(raw);
  } catch (e) {
    if (type && !/json|x-www-form-urlencoded|text\/plain/i.test(type))
      throw new UnsupportedMediaTypeError(`Content-Type '${type}' is not supported; send application/json`);
    // Only where it broke: the parser's message quotes the body, which may carry a password.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    const where = at ? ` (at character ${at})` : '';
    throw new ValidationError(`Request body is not valid JSON${where}`, [{ path: 'body', message: `malformed JSON${where}` }]);
  }
}

export const jsonBody = (): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  before: (request) => {
    request.context.jsonBody = decodeBody(request.event);
  },
});
