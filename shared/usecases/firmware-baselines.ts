/**
 * Firmware baselines: entered by hand or imported from a Dell catalog, versioned and audited like sites.
 * A site is governed by at most one baseline: naming a site another baseline governs is a 409 naming it.
 */
import { readDellCatalog } from '../domain/dell-catalog';
import { ConflictError, type ErrorDetail, ValidationError } from '../domain/errors';
import type { CatalogImportQuery, FirmwareBaseline, FirmwareBaselineCreate, FirmwareBaselineUpdate } from '../domain/firmware-baseline';
import { newId } from '../domain/ids';
import { isoNow } from '../ports/clock';
import type { Page } from '../ports/store';
import { recordAudit } from '../records/audit';
import { allBaselines, firmwareBaselineRef, firmwareBaselines } from '../records/firmware-baselines';
import { references } from '../records/references';
import { sites } from '../records/sites';
import type { Deps } from './deps';

type BaselineDeps = Pick<Deps, 'store' | 'clock'>;

/** Every named site must exist and be governed by no other baseline (400 / 409 naming them). */
async function checkSites(deps: BaselineDeps, siteIds: string[], self: string | undefined, path: string): Promise<void> {
  const missing: ErrorDetail[] = [];
  for (const [i, id] of siteIds.entries())
    if (!(await sites.exists(deps.store, id))) missing.push({ path: `${path}[${i}]`, message: `site '${id}' does not exist` });
  if (missing.length) throw new ValidationError('Request is not valid', missing);
  const taken = (await allBaselines(deps.store))
    .filter((b) => b.id !== self)
    .flatMap((b) => b.site_ids.filter((s) => siteIds.includes(s)).map((site_id) => ({ site_id, baseline_id: b.id })));
  if (taken.length)
    throw new ConflictError(
      `${taken.map((t) => `site '${t.site_id}' is governed by baseline '${t.baseline_id}'`).join('; ')}; ` +
        'remove it there first (one baseline per site)',
      { governed: taken },
    );
}

async function create(
  deps: BaselineDeps,
  input: Omit<FirmwareBaseline, 'id' | 'created_at' | 'updated_at' | 'created_by' | 'version'> & { id?: string },
  actor: string,
  action: string,
): Promise<FirmwareBaseline> {
  await checkSites(deps, input.site_ids, undefined, 'body.site_ids');
  const now = isoNow(deps.clock);
  const baseline = await firmwareBaselines.create(deps.store, {
    ...input,
    id: input.id ?? newId('firmware_baseline', deps.clock.now()),
    created_at: now,
    updated_at: now,
    created_by: actor,
    version: 1,
  });
  await recordAudit(deps.store, {
    subject_id: baseline.id,
    action,
    at: now,
    detail: { name: baseline.name, components: baseline.components.length, site_ids: baseline.site_ids, source: baseline.source },
  });
  return baseline;
}

export const createFirmwareBaseline = (deps: BaselineDeps, input: FirmwareBaselineCreate, actor: string) =>
  create(deps, { ...input, source: { kind: 'manual' } }, actor, 'firmware_baseline.created');

/**
 * A baseline from a Dell catalog (the XML itself; a URL to fetch it from is not taken: the API stays out of
 * outbound downloads). Answers the baseline and what the catalog held that could not be used.
 */
export async function importFirmwareCatalog(deps: BaselineDeps, xml: unknown, q: CatalogImportQuery, actor: string) {
  if (typeof xml !== 'string' || !xml.trim())
    throw new ValidationError('send the catalog XML as the body, with Content-Type: application/xml', [
      { path: 'body', message: 'must be the Catalog.xml text' },
    ]);
  const read = readDellCatalog(xml.replace(/^\uFEFF/, ''), { models: q.models, repositoryUri: q.repository_uri });
  const baseline = await create(
    deps,
    { id: q.id, name: q.name, description: '', site_ids: q.site_ids ?? [], components: read.components, source: read.source },
    actor,
    'firmware_baseline.imported',
  );
  return { baseline, skipped: read.skipped };
}

export const getFirmwareBaseline = (deps: BaselineDeps, id: string) => firmwareBaselines.get(deps.store, id);

export const listFirmwareBaselines = (deps: BaselineDeps, page: { limit: number; cursor?: string }): Promise<Page<FirmwareBaseline>> =>
  firmwareBaselines.list(deps.store, page);

export async function updateFirmwareBaseline(deps: BaselineDeps, id: string, change: FirmwareBaselineUpdate): Promise<FirmwareBaseline> {
  const { version, ...fields } = change;
  if (fields.site_ids) await checkSites(deps, fields.site_ids, id, 'body.site_ids');
  const now = isoNow(deps.clock);
  const updated = await firmwareBaselines.update(deps.store, id, (c) => ({ ...c, ...fields, updated_at: now }), version);
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'firmware_baseline.updated',
    at: now,
    detail: { fields: Object.keys(fields), version: updated.version },
  });
  return updated;
}

/** 409 while a job still names it (its reference edges, records/references.ts). */
export async function deleteFirmwareBaseline(deps: BaselineDeps, id: string): Promise<void> {
  const baseline = await firmwareBaselines.get(deps.store, id);
  await references.refuseWhileUsed(deps.store, firmwareBaselineRef(id));
  await firmwareBaselines.remove(deps.store, baseline);
  await recordAudit(deps.store, { subject_id: id, action: 'firmware_baseline.deleted', at: isoNow(deps.clock) });
}
