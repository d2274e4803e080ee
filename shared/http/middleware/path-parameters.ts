/**
 * Path parameters are ids, and ids become store keys: one longer than any id EIO issues or accepts would
 * fail in the store (DynamoDB caps a sort key at 1,024 bytes) as a 500, so it is refused here, naming it.
 */
import type { MiddlewareObj } from '@middy/core';
import { ValidationError } from '../../domain/errors';
import type { ApiContext, ApiEvent } from '../request';
import type { ApiResult } from '../respond';

/** Far above any id (the longest, a vCenter target id, is under 200) and far below the store's key limit. */
export const MAX_PATH_PARAMETER_BYTES = 256;

export const pathParameters = (): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  before: (request) => {
    const details = Object.entries(request.event.pathParameters ?? {})
      .filter(([, v]) => Buffer.byteLength(v ?? '') > MAX_PATH_PARAMETER_BYTES)
      .map(([name]) => ({ path: `path.${name}`, message: `must be at most ${MAX_PATH_PARAMETER_BYTES} bytes` }));
    if (details.length)
      throw new ValidationError(`Invalid path parameter: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  },
});
