/**
 * Read-only emergency mode at the door: a route that writes (any method but GET) is refused with 503 and the
 * reason while the mode is on, unless the route table allows it then (turning the mode off, and the controls
 * that stop work: kill switch, scheduler pause, pool drain). Runs after authorization, so a caller without
 * the role still learns only that; reads never ask the store.
 */
import type { MiddlewareObj } from '@middy/core';
import { findRoute } from '../../catalog/routes';
import { ReadOnlyError } from '../../domain/errors';
import type { ApiContext, ApiEvent } from '../request';
import type { ApiResult } from '../respond';

/** Why writes are refused right now (read from shared state), or undefined when they are not. */
export type WritesRefused = () => Promise<string | undefined>;

export const readOnlyMode = (refused: WritesRefused): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  before: async (request) => {
    const route = findRoute(request.event.routeKey);
    if (!route || route.method === 'GET' || route.allowedWhileReadOnly) return;
    const reason = await refused();
    if (reason) throw new ReadOnlyError(`${reason}; reads still work`);
  },
});
