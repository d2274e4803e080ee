import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { waitFor } from '../support/wait';

/** `npm start` with the demo lab: vcsim as vc-001, and the runbook's sync command verbatim. */
let stack: LocalStack;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eio-vc-demo-'));
  stack = await startLocalStack({ dataDir, port: 0, demo: true, demoIdracs: false });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function curl(method: string, path: string, body?: unknown) {
  const token = await stack.issueToken({ role: 'admin', subject: 'ops', ttlSeconds: 600 });
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

describe('demo lab vCenter', () => {
  it('registers vc-001 backed by vcsim; the runbook sync command works as written', async () => {
    expect(stack.seeded).toEqual(expect.arrayContaining(['si-vc-001', 'vc-001']));
    const vc = await curl('GET', '/api/v1/vcenter/instances/vc-001');
    expect(vc.body).toMatchObject({ id: 'vc-001', site_id: 'site-001', service_identity_id: 'si-vc-001' });
    const accepted = await curl('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'full' });
    expect(accepted.status).toBe(202);
    const run = await waitFor(
      'demo sync',
      async () => {
        const r = await curl('GET', `/api/v1/vcenter/sync-runs/${accepted.body.sync_run_ids[0]}`);
        return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
      },
      60_000,
      100,
    );
    expect(run.status, run.error).toBe('succeeded');
    expect(run.counts).toMatchObject({ datacenters: 1, clusters: 2, hosts: 7, vms: 18 });
    const delta = await curl('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'delta' });
    expect(delta.status).toBe(202);
  });
});
