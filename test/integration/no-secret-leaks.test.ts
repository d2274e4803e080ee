import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputCapture } from '../support/output-capture';

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
});
