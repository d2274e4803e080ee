/**
 * The restore drill (issue 16, item 8): back up a running local stack with `npm run backup`, change its data,
 * stop it, `npm run restore`, start it again: the old data is back. GET /api/v1/system/backups shows the backup.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
let dataDir: string;
let h: Harness;

const run = (script: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(TSX, [join(ROOT, 'infra', 'local', script), ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
const site = async (id: string) => (await h.call('GET', `/api/v1/sites/${id}`, { role: 'viewer' })).status;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eio-drill-'));
  h = await startHarness({ dataDir });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('backup and restore drill', () => {
  it('backs up a running stack, and a restore brings the old data back', async () => {
    expect((await h.call('GET', '/api/v1/system/backups', { role: 'viewer' })).body).toMatchObject({ runtime: 'local', latest: null });
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-before', name: 'before the backup' } });

    const backup = await run('backup-cli.ts', ['--data-dir', dataDir]);
    expect(backup.code, backup.stderr).toBe(0);
    const manifest = JSON.parse(backup.stdout);
    expect(manifest.items).toBeGreaterThan(0);
    const shown = (await h.call('GET', '/api/v1/system/backups', { role: 'viewer' })).body;
    expect(shown.latest).toMatchObject({ id: manifest.id, kind: 'local', created_at: manifest.created_at });
    expect(shown.latest_age_hours).toBeGreaterThanOrEqual(0);
    const verify = await run('backup-cli.ts', ['--verify', shown.latest.location]);
    expect(verify.code, verify.stderr).toBe(0);

    // The data changes after the backup: one site deleted, one created.
    expect((await h.call('DELETE', '/api/v1/sites/site-before', { role: 'admin' })).status).toBe(204);
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-after', name: 'after the backup' } });
    expect([await site('site-before'), await site('site-after')]).toEqual([404, 200]);

    const refused = await run('restore-cli.ts', ['--data-dir', dataDir, '--from', 'latest']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stop it before a restore');

    await h.stack.close();
    const restore = await run('restore-cli.ts', ['--data-dir', dataDir, '--from', 'latest']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restored ${manifest.id}`);
    h = await startHarness({ dataDir });
    expect([await site('site-before'), await site('site-after')]).toEqual([200, 404]);
  }, 180_000);
});
