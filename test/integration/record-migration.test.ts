/**
 * The record migration on the local stack's own engine (dynalite, issue 16 item 8): records stored in an older
 * shape are rewritten by `npm run migrate` (through the running stack) and by the runner over a shape change;
 * a rerun writes nothing.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity } from '../../shared/records/entity';
import { sites } from '../../shared/records/sites';
import { migrateRecords, totalOf } from '../../shared/usecases/record-migration';
import { type Harness, startHarness } from '../support/harness';
import { widgetsV1, widgetsV2 } from '../support/widget-shapes';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
let h: Harness;

const migrateCli = (dataDir: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      TSX,
      [join(ROOT, 'infra', 'local', 'migrate-cli.ts'), '--data-dir', dataDir],
      { cwd: ROOT, timeout: 120_000 },
      (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
    ),
  );

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('record migration on the local stack', () => {
  it('npm run migrate stamps records stored before they carried a schema version, then has nothing left to do', async () => {
    expect((await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-new', name: 'current shape' } })).status).toBe(201);
    // A site as EIO stored it before records carried `schema_version`.
    const store = h.stack.deps.store;
    await store.put({
      ...sites.key('site-old'),
      gsi1pk: 'KIND#SITE',
      gsi1sk: 'site-old',
      id: 'site-old',
      name: 'old shape',
      description: '',
      management_networks: [],
      trust_on_first_use: false,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      created_by: 'alice',
      version: 3,
    });

    const first = await migrateCli(h.dataDir);
    expect(first.code, first.stderr).toBe(0);
    const pass = JSON.parse(first.stdout);
    expect(pass.status).toBe('complete');
    expect(pass.counts.site).toEqual({ scanned: 2, migrated: 1, changed_meanwhile: 0 });
    expect(await store.get(sites.key('site-old'))).toMatchObject({ schema_version: 1, version: 3, name: 'old shape' });
    expect((await h.call('GET', '/api/v1/sites/site-old', { role: 'viewer' })).body).toMatchObject({ id: 'site-old', version: 3 });

    const rerun = JSON.parse((await migrateCli(h.dataDir)).stdout);
    expect(totalOf(rerun).migrated).toBe(0);
    expect(rerun.counts.site).toEqual({ scanned: 2, migrated: 0, changed_meanwhile: 0 });
  });

  it('rewrites a changed shape in the embedded DynamoDB, conditional on each version, and reruns as a no-op', async () => {
    const [v1, v2] = [widgetsV1, widgetsV2];
    const store = h.stack.deps.store;
    for (let i = 0; i < 120; i++) await v1.create(store, { id: `w-${String(i).padStart(3, '0')}`, version: 1, name: `widget ${i}` });
    const kinds = [v2] as unknown as Entity<{ id: string; version: number }>[];

    const pass = await migrateRecords(h.stack.deps, { kinds });
    expect(pass.counts.widget).toEqual({ scanned: 120, migrated: 120, changed_meanwhile: 0 });
    const stored = await store.get(v1.key('w-042'));
    expect(stored).toMatchObject({ schema_version: 2, display_name: 'widget 42', tags: [], version: 1 });
    expect(stored).not.toHaveProperty('name');

    const rerun = await migrateRecords(h.stack.deps, { kinds });
    expect(rerun.counts.widget).toEqual({ scanned: 120, migrated: 0, changed_meanwhile: 0 });
  });
});
