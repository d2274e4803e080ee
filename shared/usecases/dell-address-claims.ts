/**
 * One iDRAC address, one endpoint. The store has no transactions (dynalite), so uniqueness is a guard item
 * per address (records/dell-endpoints.ts, AddressClaim):
 *
 *   claim (conditional put, state pending) → write the endpoint → bind (conditional on the claim's version;
 *   a create skips it when its endpoint was written within half the grace, see needsBind)
 *
 * A claim holds while its endpoint exists with that address. A claim whose endpoint is missing or elsewhere
 * is what a crash leaves (between claim and endpoint, between endpoint delete and release, in the middle of an
 * address change) and is reclaimed by the next writer — except a pending one younger than CLAIM_GRACE_MS,
 * which may be a create still on its way. Binding is conditional, so a writer whose pending claim was
 * reclaimed (it stalled past the grace) learns it lost and undoes its endpoint write instead of leaving a
 * duplicate.
 */

import { AddressInUseError } from '../domain/dell-endpoint';
import { ConflictError } from '../domain/errors';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import { ConditionFailedError } from '../ports/store';
import { type AddressClaim, deleteAddressClaim, dellEndpoints, findAddressClaim, putAddressClaim } from '../records/dell-endpoints';
import type { Deps } from './deps';

/** How long a pending claim may be a create still on its way before the next writer may reclaim it. */
export const CLAIM_GRACE_MS = 60_000;

type ClaimDeps = Pick<Deps, 'store' | 'clock'>;

/** Does `claim` still stand? Reads its endpoint. */
async function holds(deps: ClaimDeps, claim: AddressClaim): Promise<boolean> {
  const ep = await dellEndpoints.find(deps.store, claim.endpoint_id);
  if (ep?.address === claim.address) return true;
  return claim.state === 'pending' && deps.clock.now() - Date.parse(claim.claimed_at) < CLAIM_GRACE_MS;
}

/**
 * Claims `address` for endpoint `owner` (pending). Answers the claim to bind once the endpoint carries the
 * address; AddressInUseError naming the holder when another endpoint has it.
 */
export async function claimAddress(deps: ClaimDeps, address: string, owner: { id: string; site_id: string }): Promise<AddressClaim> {
  for (let attempt = 0; attempt < 5; attempt++) {
    // First try assumes the address is free (the common case: a new iDRAC); a taken one is read and judged.
    const current = attempt === 0 ? undefined : await findAddressClaim(deps.store, address);
    // Ours already: a retry after a crash, or an update naming the address the endpoint claimed before.
    if (current?.endpoint_id === owner.id) return current;
    if (current && (await holds(deps, current))) throw new AddressInUseError(address, current.endpoint_id, current.site_id);
    const claim: AddressClaim = {
      address,
      endpoint_id: owner.id,
      site_id: owner.site_id,
      state: 'pending',
      claimed_at: isoNow(deps.clock),
      version: (current?.version ?? 0) + 1,
    };
    try {
      await putAddressClaim(deps.store, claim, current?.version);
      if (current)
        logger.warn('Reclaimed a stale iDRAC address claim', {
          address,
          stale_endpoint_id: current.endpoint_id,
          dell_endpoint_id: owner.id,
        });
      return claim;
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e; // someone else wrote the claim meanwhile: look again
    }
  }
  throw new ConflictError(`iDRAC address ${address} is being registered by several requests at once; retry`);
}

/**
 * Whether a create must bind its claim. A claim is taken over only when it is older than CLAIM_GRACE_MS and
 * its endpoint does not carry the address; an endpoint written within half the grace of its claim (the other
 * half covers clock skew between writers) was there before anyone could judge the claim stale, and holds it
 * from then on. Binding would then change nothing but cost a write per new endpoint. The price: a claim left
 * pending by a delete that crashed within the grace of its create blocks the address until the grace ends.
 */
export const needsBind = (deps: Pick<Deps, 'clock'>, claim: AddressClaim): boolean =>
  deps.clock.now() - Date.parse(claim.claimed_at) >= CLAIM_GRACE_MS / 2;

/**
 * Marks the claim bound once the endpoint carries its address. False when the claim was reclaimed meanwhile
 * (this writer stalled past the grace): the caller undoes its endpoint write.
 */
export async function bindClaim(deps: ClaimDeps, claim: AddressClaim): Promise<boolean> {
  try {
    // Also for a claim that was bound already (re-used after a crash): the version check is what proves it is still ours.
    await putAddressClaim(deps.store, { ...claim, state: 'bound', version: claim.version + 1 }, claim.version);
    return true;
  } catch (e) {
    if (e instanceof ConditionFailedError) return false;
    throw e;
  }
}

/**
 * Gives up `address` if endpoint `endpointId` holds its claim (after the endpoint was deleted or moved).
 * Best effort: a claim left behind names an endpoint that no longer has the address and is reclaimed.
 */
export async function releaseAddress(deps: ClaimDeps, address: string, endpointId: string): Promise<void> {
  try {
    const claim = await findAddressClaim(deps.store, address);
    if (claim?.endpoint_id === endpointId) await deleteAddressClaim(deps.store, claim);
  } catch (e) {
    logger.warn('iDRAC address claim not released; the next writer reclaims it', {
      address,
      dell_endpoint_id: endpointId,
      error: e as Error,
    });
  }
}

/**
 * Gives an endpoint registered before address claims existed its claim, so the rule covers it from then on
 * (called on refresh; discovery refreshes every registered endpoint). Best effort: a claim written for an
 * endpoint deleted or moved meanwhile names an endpoint without that address and is reclaimed.
 */
export async function adoptAddress(deps: ClaimDeps, ep: { id: string; site_id: string; address: string }): Promise<void> {
  try {
    if (await findAddressClaim(deps.store, ep.address)) return;
    await putAddressClaim(deps.store, {
      address: ep.address,
      endpoint_id: ep.id,
      site_id: ep.site_id,
      state: 'bound',
      claimed_at: isoNow(deps.clock),
      version: 1,
    });
    logger.info('iDRAC address claim adopted for an endpoint registered before claims', { address: ep.address, dell_endpoint_id: ep.id });
  } catch (e) {
    if (!(e instanceof ConditionFailedError))
      logger.warn('iDRAC address claim not adopted', { address: ep.address, dell_endpoint_id: ep.id, error: e as Error });
  }
}
