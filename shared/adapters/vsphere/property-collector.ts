/**
 * PropertyCollector operations. Paging tokens, private collectors, filters and versions belong to the
 * session (and collector) that made them: calls using them are session-bound, so a lost session surfaces
 * as VSphereSessionLostError instead of being silently repeated against objects that no longer exist.
 */
import { xsiType } from './decode';
import { NotAuthenticatedFault, VSphereProtocolError } from './errors';
import { retrieveResult, updateSet } from './results';
import type { VSphereSession } from './session';
import { encodeFilterSpec, mentionsSessionObject } from './specs';
import type { MoRef, ObjectContent, PropertyFilterSpec, RetrievePage, UpdateSet, WaitOptions } from './types';
import { child, type XmlNode } from './xml-parse';

/**
 * An expired session can answer HTTP 200 with every property NotAuthenticated in missingSet; treat that
 * as the NotAuthenticated fault it is, so the session logs in again.
 */
export function throwIfSilentlyExpired(returnval: XmlNode | undefined): void {
  if (!returnval) return;
  for (const objects of returnval.children) {
    if (objects.name !== 'objects') continue;
    for (const m of objects.children) {
      if (m.name !== 'missingSet') continue;
      const fault = child(child(m, 'fault') ?? m, 'fault');
      if (fault && xsiType(fault) === 'NotAuthenticated') {
        throw new NotAuthenticatedFault('NotAuthenticated', 'properties came back NotAuthenticated: the session has expired');
      }
    }
  }
}

export async function retrievePropertiesExPage(
  session: VSphereSession,
  collector: MoRef,
  specSet: PropertyFilterSpec[],
  maxObjects: number | undefined,
): Promise<RetrievePage> {
  const rv = await session.call(
    'RetrievePropertiesEx',
    collector,
    { specSet: specSet.map(encodeFilterSpec), options: { maxObjects } },
    { idempotent: true, sessionBound: mentionsSessionObject([collector, specSet]), check: throwIfSilentlyExpired },
  );
  return retrieveResult(rv);
}

/** A token works once: a failed continuation is not retried (the token may already be spent). */
export async function continueRetrievePropertiesEx(session: VSphereSession, collector: MoRef, token: string): Promise<RetrievePage> {
  const rv = await session.call(
    'ContinueRetrievePropertiesEx',
    collector,
    { token },
    { sessionBound: true, check: throwIfSilentlyExpired },
  );
  return retrieveResult(rv);
}

export async function cancelRetrievePropertiesEx(session: VSphereSession, collector: MoRef, token: string): Promise<void> {
  await session.call('CancelRetrievePropertiesEx', collector, { token }, { sessionBound: true });
}

/**
 * Every object of a retrieval, page after page (RetrievePropertiesEx, then ContinueRetrievePropertiesEx
 * while a token comes back). Stopping early cancels the remaining pages on the server.
 */
export async function* retrieveAll(
  session: VSphereSession,
  collector: MoRef,
  specSet: PropertyFilterSpec[],
  maxObjects: number | undefined,
): AsyncGenerator<ObjectContent, void, undefined> {
  let open: string | undefined; // a token the server still holds results for
  try {
    let page = await retrievePropertiesExPage(session, collector, specSet, maxObjects);
    for (;;) {
      open = page.token;
      for (const o of page.objects) yield o;
      if (!page.token) return;
      open = undefined; // spent by the call below, whatever its outcome
      page = await continueRetrievePropertiesEx(session, collector, page.token);
    }
  } finally {
    // Only when the consumer stopped early: free the rest of the result on the server.
    if (open) await cancelRetrievePropertiesEx(session, collector, open).catch(() => undefined);
  }
}

export async function createPropertyCollector(session: VSphereSession, root: MoRef): Promise<MoRef> {
  const rv = await session.call('CreatePropertyCollector', root, {});
  return moRefOf(rv, 'CreatePropertyCollector');
}

export async function destroyPropertyCollector(session: VSphereSession, collector: MoRef): Promise<void> {
  await session.call('DestroyPropertyCollector', collector, {}, { sessionBound: true });
}

export async function createFilter(
  session: VSphereSession,
  collector: MoRef,
  spec: PropertyFilterSpec,
  partialUpdates: boolean,
): Promise<MoRef> {
  const rv = await session.call('CreateFilter', collector, { spec: encodeFilterSpec(spec), partialUpdates }, { sessionBound: true });
  return moRefOf(rv, 'CreateFilter');
}

export async function destroyFilter(session: VSphereSession, filter: MoRef): Promise<void> {
  await session.call('DestroyPropertyFilter', filter, {}, { sessionBound: true });
}

/**
 * Changes since `version` ('' for the initial state). An answer without changes (maxWaitSeconds passed)
 * keeps `version`. The HTTP deadline is the request timeout plus the wait, so the server always answers first.
 */
export async function waitForUpdatesEx(
  session: VSphereSession,
  collector: MoRef,
  version: string,
  options: WaitOptions,
  requestTimeoutMs: number,
): Promise<UpdateSet> {
  const rv = await session.call(
    'WaitForUpdatesEx',
    collector,
    { version, options: { maxWaitSeconds: options.maxWaitSeconds, maxObjectUpdates: options.maxObjectUpdates } },
    { sessionBound: true, timeoutMs: requestTimeoutMs + options.maxWaitSeconds * 1000 },
  );
  return updateSet(rv, version);
}

export async function cancelWaitForUpdates(session: VSphereSession, collector: MoRef): Promise<void> {
  await session.call('CancelWaitForUpdates', collector, {}, { sessionBound: true });
}

export function moRefOf(rv: XmlNode | undefined, method: string): MoRef {
  if (!rv || rv.attrs?.type === undefined) throw new VSphereProtocolError(`${method} returned no managed object reference`);
  return { type: rv.attrs.type, value: rv.text };
}
