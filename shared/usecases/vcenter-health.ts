import { config } from '../config';
import { type ComponentHealth, type InstanceHealth, type LastSyncSummary, levelFor, type Threshold, worst } from '../domain/health';
import type { ServiceIdentity } from '../domain/service-identity';
import type { VCenterInstance } from '../domain/vcenter';
import type { CredentialVerifier } from '../ports/credential-verifier';
import type { Store } from '../ports/store';
import { InvalidLoginFault } from '../ports/vcenter';
import { allItems } from '../records/paging';
import { references } from '../records/references';
import { serviceIdentityRef } from '../records/service-identities';
import { VCENTER_REF_KIND, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { tlsPolicyOf } from './vcenter-clients';

export type VCenterInstanceHealth = InstanceHealth & { id: string };

const allInstances = (store: Store): Promise<VCenterInstance[]> =>
  allItems((cursor) => vcenterInstances.list(store, { limit: 200, cursor }));

function lastSyncSummary(i: VCenterInstance): LastSyncSummary | null {
  const l = i.last_sync;
  if (!l) return null;
  // Records written before finished_at was kept on last_sync: derive it.
  const finished =
    l.finished_at ??
    (l.started_at && l.duration_ms !== undefined ? new Date(Date.parse(l.started_at) + l.duration_ms).toISOString() : null);
  return {
    id: l.id,
    type: l.executed_type ?? l.sync_type,
    status: l.status,
    finished_at: l.status === 'succeeded' || l.status === 'failed' ? finished : null,
    error: l.error ?? null,
    attempts: l.attempts ?? null,
    next_attempt_at: l.next_attempt_at ?? null,
  };
}

/** The age an instance's level is judged on: minutes since its last successful sync, or since registration if it never synced. */
const levelAgeMinutes = (i: VCenterInstance, now: number) =>
  Math.max(0, Math.floor((now - Date.parse(i.last_successful_sync_at ?? i.created_at)) / 60_000));

/**
 * Runbook "vCenter sync age" for one instance: minutes since its last successful sync (since registration
 * when it never synced); degraded > warning, critical > critical or when the last contact failed in transport.
 * A failed sync that still answered (wrong credentials, certificate) shows in the message; the age tells the level.
 */
export function instanceHealth(i: VCenterInstance, now: number, t: Threshold): InstanceHealth {
  const age = levelAgeMinutes(i, now);
  const last = lastSyncSummary(i);
  const unreachable = i.reachable === false;
  const why: string[] = [];
  if (unreachable) why.push(`unreachable: ${i.last_contact_error ?? 'no answer'}`);
  why.push(i.last_successful_sync_at ? `last successful sync ${age} min ago` : `never synced successfully (registered ${age} min ago)`);
  if (last?.status === 'retrying')
    why.push(`sync run ${last.id} retrying: attempt ${last.attempts ?? '?'} failed, next attempt at ${last.next_attempt_at ?? 'soon'}`);
  else if (last?.status === 'failed' && !unreachable) why.push(`last sync ${last.id} failed: ${last.error ?? 'no error recorded'}`);
  return {
    status: unreachable ? 'critical' : levelFor(age, t),
    message: why.join('; '),
    sync_age_minutes: i.last_successful_sync_at ? age : null,
    reachable: i.reachable ?? null,
    last_sync: last,
  };
}

/**
 * Each instance's health, and the sync age its level is judged on (`alarm_ages`, what the sync age metric
 * publishes): a never-synced instance ages from its registration, as its health does, so an alarm on the
 * metric fires when /health turns critical instead of reading 0 forever.
 */
export async function vcenterFigures(deps: Pick<Deps, 'store' | 'clock'>) {
  const t = config().thresholds.vcenterSyncAgeMinutes;
  const now = deps.clock.now();
  const all = await allInstances(deps.store);
  const instances: VCenterInstanceHealth[] = all.map((i) => ({ id: i.id, ...instanceHealth(i, now, t) }));
  const alarm_ages = all.map((i) => ({ id: i.id, minutes: levelAgeMinutes(i, now) }));
  return { instances, alarm_ages, max_sync_age_minutes: Math.max(0, ...alarm_ages.map((a) => a.minutes)) };
}

/** `vcenter_api`: the worst instance's level, and each instance under `instances`. */
export async function vcenterApiHealth(deps: Pick<Deps, 'store' | 'clock'>): Promise<ComponentHealth> {
  const t = config().thresholds.vcenterSyncAgeMinutes;
  const f = await vcenterFigures(deps);
  if (f.instances.length === 0)
    return { status: 'ok', message: 'no vCenter instances registered', metrics: { instances: 0 }, instances: {} };
  const bad = f.instances.filter((i) => i.status !== 'ok');
  const metrics: Record<string, number | string | null> = { instances: f.instances.length, max_sync_age_minutes: f.max_sync_age_minutes };
  for (const i of f.instances) {
    metrics[`${i.id}.status`] = i.status;
    metrics[`${i.id}.sync_age_minutes`] = i.sync_age_minutes;
  }
  return {
    status: worst(f.instances.map((i) => i.status)),
    message: bad.length
      ? `${bad.map((i) => `${i.id} ${i.status}: ${i.message}`).join('; ')} ` +
        `(warning > ${t.warning} min, critical > ${t.critical} min or unreachable)`
      : `${f.instances.length} vCenter instance(s) synced within ${t.warning} min`,
    metrics,
    instances: Object.fromEntries(f.instances.map(({ id, ...rest }) => [id, rest])),
  };
}

/** Reachability of one instance: RetrieveServiceContent needs no login. */
export async function probeVcenter(deps: Pick<Deps, 'store' | 'vcenter'>, id: string) {
  const instance = await vcenterInstances.find(deps.store, id);
  if (!instance) return { ok: false, result: { error: `vCenter instance '${id}' no longer exists` } };
  const tls = tlsPolicyOf(instance);
  if (!tls)
    return {
      ok: false,
      result: { error: `vCenter instance '${id}' has no pinned certificate yet (trust on first use happens at the first sync)` },
    };
  try {
    const about = await deps.vcenter.about(instance.url, tls);
    return { ok: true, result: { url: instance.url, api_version: about.api_version, product: about.product } };
  } catch (e) {
    return { ok: false, result: { url: instance.url, error: (e as Error).message } };
  }
}

/** Tries a vcenter service identity by logging in to an instance that uses it (then logging out). */
export function vcenterCredentialVerifier(deps: Pick<Deps, 'store' | 'vcenter'>): CredentialVerifier {
  const { store } = deps;
  return {
    async verify(identity: ServiceIdentity, secret: string) {
      let instance: VCenterInstance | undefined;
      for await (const id of references.of(store, serviceIdentityRef(identity.id), VCENTER_REF_KIND)) {
        instance = await vcenterInstances.find(store, id);
        if (instance?.service_identity_id === identity.id && tlsPolicyOf(instance)) break;
        instance = undefined;
      }
      const tls = instance && tlsPolicyOf(instance);
      if (!instance || !tls)
        return {
          result: 'unavailable' as const,
          message: 'No vCenter instance with a known certificate uses this identity yet; register one to verify against',
        };
      try {
        await deps.vcenter.checkLogin(instance.url, tls, { username: identity.username, password: secret });
        return { result: 'verified' as const, message: `vCenter ${instance.url} accepted the login`, target: instance.id };
      } catch (e) {
        if (e instanceof InvalidLoginFault)
          return { result: 'rejected' as const, message: `vCenter ${instance.url} refused the login (InvalidLogin)`, target: instance.id };
        return {
          result: 'unavailable' as const,
          message: `Could not reach vCenter ${instance.url}: ${(e as Error).message}`,
          target: instance.id,
        };
      }
    },
  };
}
