/**
 * IPAM exceptions: create (owner, reason, scope, expiry), list with their status (active or expired), get,
 * delete. An exception takes effect on the next read of the findings it covers; nothing is rewritten.
 */
import type { z } from 'zod';
import { ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { type ExceptionCreate, type ExceptionFilter, exceptionStatus, type IpException } from '../domain/ipam/exceptions';
import type { Page } from '../ports/store';
import { ipExceptions } from '../records/ipam-exceptions';
import type { Deps } from './deps';

export type ExceptionView = IpException & { status: 'active' | 'expired' };

type ExcDeps = Pick<Deps, 'store' | 'clock'>;

const view = (e: IpException, now: number): ExceptionView => ({ ...e, status: exceptionStatus(e, now) });

export async function createException(deps: ExcDeps, input: z.output<typeof ExceptionCreate>, actor: string): Promise<ExceptionView> {
  const now = deps.clock.now();
  const expires = new Date(input.expires_at);
  if (expires.getTime() <= now)
    throw new ValidationError('expires_at must be in the future', [{ path: 'body.expires_at', message: 'must be in the future' }]);
  const record: IpException = {
    id: input.id ?? newId('ip_exception', now),
    owner: input.owner,
    reason: input.reason,
    scope: input.scope,
    ...(input.finding_types ? { finding_types: input.finding_types } : {}),
    expires_at: expires.toISOString(),
    created_by: actor,
    created_at: new Date(now).toISOString(),
    version: 1,
  };
  return view(await ipExceptions.create(deps.store, record), now);
}

export async function listExceptions(
  deps: ExcDeps,
  q: z.output<typeof ExceptionFilter>,
  page: { limit: number; cursor?: string },
): Promise<Page<ExceptionView>> {
  const now = deps.clock.now();
  const read = await ipExceptions.list(deps.store, page);
  return { items: read.items.map((e) => view(e, now)).filter((e) => !q.status || e.status === q.status), cursor: read.cursor };
}

export const getException = async (deps: ExcDeps, id: string) => view(await ipExceptions.get(deps.store, id), deps.clock.now());

export async function deleteException(deps: ExcDeps, id: string): Promise<void> {
  await ipExceptions.remove(deps.store, await ipExceptions.get(deps.store, id));
}
