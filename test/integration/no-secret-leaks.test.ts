import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { serviceIdentities } from '../../shared/records/service-identities';
import { outputCapture } from '../support/output-capture';
import { waitFor } from '../support/wait';

// Log everything for this file: the point is to prove that even debug logs carry no secret.
process.env.LOG_LEVEL = 'DEBUG';

const SECRETS = ['Leak-Canary-Pw-1', 'Leak-Canary-Pw-2-rotated'];
const output = outputCapture();
const { captured } = output;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p); // not the stack's control socket: it holds nothing
  }
  return out;
}

describe('no secret reaches a log line, a response or the store', () => {
  let h: import('../support/harness').Harness;
  const responses: string[] = [];

  beforeAll(async () => {
    output.start();
    const { startHarness } = await import('../support/harness');
    h = await startHarness({ demo: true });
  });
  afterAll(async () => {
    await h?.close();
    output.stop();
  });

  it('runs a full credential lifecycle and finds the secrets nowhere', async () => {
    const calls: [string, string, Parameters<typeof h.call>[2]][] = [
      [
        'POST',
        '/api/v1/service-identities',
        {
          role: 'admin',
          body: { id: 'si-leak', name: 'leak test', target_kind: 'vcenter', username: 'administrator@vsphere.local', secret: SECRETS[0] },
        },
      ],
      [
        'POST',
        '/api/v1/service-identities',
        { role: 'admin', body: { id: 'si-leak', name: 'dup', target_kind: 'vcenter', username: 'x', secret: SECRETS[0] } },
      ],
      [
        'POST',
        '/api/v1/service-identities',
        { role: 'admin', body: { name: 'bad', target_kind: 'nope', username: 'x', secret: SECRETS[0] } },
      ],
      [
        'POST',
        '/api/v1/service-identities',
        { role: 'viewer', body: { name: 'forbidden', target_kind: 'idrac', username: 'x', secret: SECRETS[0] } },
      ],
      ['GET', '/api/v1/service-identities/si-leak', { role: 'viewer' }],
      ['GET', '/api/v1/service-identities', { role: 'viewer' }],
      ['GET', '/api/v1/service-identities/si-leak/verify', { role: 'operator' }],
      ['POST', '/api/v1/service-identities/si-leak/rotate', { role: 'admin', body: { secret: SECRETS[1] } }],
      ['GET', '/api/v1/service-identities/si-leak/activity', { role: 'viewer' }],
      ['GET', '/api/v1/service-identities/si-001', { role: 'viewer' }],
      ['GET', '/api/v1/health', {}],
      ['DELETE', '/api/v1/service-identities/si-leak', { role: 'admin' }],
    ];
    for (const [method, path, opts] of calls) {
      const res = await h.call(method, path, opts);
      responses.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${res.text}`);
    }
    expect(responses.length).toBe(calls.length);
    // Logging really was on, in the runbook's shape, with the request's correlation id.
    const lines = captured
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const handled = lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'Request handled');
    expect(handled.length).toBeGreaterThanOrEqual(calls.length);
    expect(handled[0]).toMatchObject({ level: 'info', correlation_id: expect.any(String), duration_ms: expect.any(Number) });
    expect(handled[0].timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const everything = [...responses, ...captured].join('\n');
    for (const secret of [...SECRETS, 'calvin']) expect(everything).not.toContain(secret);

    // Only the encrypted secrets file may hold them, and not in plaintext.
    for (const file of await filesUnder(h.dataDir)) {
      if ((await stat(file)).size > 50 * 1024 * 1024) continue;
      const bytes = await readFile(file);
      for (const secret of [...SECRETS, 'calvin']) expect(bytes.includes(Buffer.from(secret)), `${file} holds ${secret}`).toBe(false);
    }
  });

  it('a generated rotation (iDRAC9 over Redfish, iDRAC7 over WS-Man) leaves both passwords nowhere else either', async () => {
    const old = 'Leak-Canary-Pw-3-before-rotation';
    const fleet = await SimulatorFleet.start({
      count: 2,
      baseAddress: '127.74.0.1',
      generation: (i) => (i === 0 ? 'idrac9' : 'idrac7'),
      credentials: { username: 'root', password: old },
      certDir: join(tmpdir(), 'eio-idrac-client-test-certs'),
      speed: 200,
    });
    try {
      const admin = async (method: string, path: string, body?: unknown) => {
        const res = await h.call(method, path, { role: 'admin', ...(body === undefined ? {} : { body }) });
        responses.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${res.text}`);
        return res;
      };
      await admin('POST', '/api/v1/service-identities', { id: 'si-gen', name: 'gen', target_kind: 'idrac', username: 'root', secret: old });
      await admin('POST', '/api/v1/sites', {
        id: 'site-gen',
        name: 'gen',
        management_networks: ['127.74.0.0/24'],
        idrac_service_identity_id: 'si-gen',
      });
      for (const [i, info] of fleet.info().entries())
        await admin('POST', '/api/v1/dell/endpoints', {
          id: `idrac-gen${i}`,
          address: info.address,
          site_id: 'site-gen',
          redfish_port: info.ports.https,
          wsman_port: info.ports.wsman ?? 9,
          tls: {
            pinned_thumbprint: info.certificate.thumbprint,
            legacy: info.generation === 'idrac7',
          },
        });
      const started = await admin('POST', '/api/v1/service-identities/si-gen/rotate');
      expect(started.status, started.text).toBe(202);
      const location = started.headers.get('location')!;
      const done = await waitFor(
        'the rotation to end',
        async () => {
          const r = await admin('GET', location);
          return r.body.status === 'succeeded' || r.body.status === 'rolled_back' || r.body.status === 'failed' ? r.body : undefined;
        },
        60_000,
      );
      expect(done.status).toBe('succeeded');
      await admin('GET', '/api/v1/service-identities/si-gen/verify');
      await admin('GET', '/api/v1/service-identities/si-gen/activity');
      const si = await serviceIdentities.get(h.stack.deps.store, 'si-gen');
      const generated = await h.stack.deps.secrets.get(si.secret_ref);
      expect(generated).not.toBe(old);
      const everything = [...responses, ...captured].join('\n');
      for (const secret of [old, generated]) expect(everything).not.toContain(secret);
      for (const file of await filesUnder(h.dataDir)) {
        if ((await stat(file)).size > 50 * 1024 * 1024) continue;
        const bytes = await readFile(file);
        for (const secret of [old, generated]) expect(bytes.includes(Buffer.from(secret)), `${file} holds a password`).toBe(false);
      }
    } finally {
      await fleet.stop();
    }
  });
});
