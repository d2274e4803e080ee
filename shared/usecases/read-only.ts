/**
 * Read-only emergency mode (runbooks 002 and 004): while it is on, the API refuses every write with 503 and
 * the reason an admin gave, and reads keep working. It is a switch like the kill switch (one record, a
 * conditional write, audited with its reason), read by every API container before every write, so it holds
 * across containers the moment it is written. Jobs already running are the kill switch's business.
 */
import type { Switch } from '../domain/system-state';
import { readSwitch } from '../records/switches';
import type { Deps } from './deps';
import { flip } from './jobs/system';

type ReadOnlyDeps = Pick<Deps, 'store' | 'clock'>;

export const readOnlyState = (deps: ReadOnlyDeps): Promise<Switch> => readSwitch(deps.store, 'read-only');

export async function activateReadOnly(deps: ReadOnlyDeps, actor: string, reason: string): Promise<Switch> {
  return (await flip(deps, 'read-only', true, actor, reason)).sw;
}

export async function deactivateReadOnly(deps: ReadOnlyDeps, actor: string, reason?: string): Promise<Switch> {
  return (await flip(deps, 'read-only', false, actor, reason)).sw;
}

/** Why writes are refused right now, or undefined when they are not. */
export async function writesRefusedBecause(deps: ReadOnlyDeps): Promise<string | undefined> {
  const sw = await readOnlyState(deps);
  return sw.on ? `EIO is read-only (${sw.changed_by ?? 'an admin'}: ${sw.reason ?? 'no reason given'})` : undefined;
}
