/**
 * The `eio` CLI end to end (issue 16, item 5): the installed bin (bin/eio.mjs) run as a separate process against
 * the local stack with the demo lab, through the runbook's procedures in order, with profiles whose token
 * comes from a command, tables by default and --json for the checks.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'eio.mjs');
const CONFIG = join(mkdtempSync(join(tmpdir(), 'eio-cli-')), 'config.json');
let h: Harness;

type Run = { code: number; stdout: string; stderr: string };
function eio(args: string[], opts: { stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, EIO_CONFIG: CONFIG, EIO_TOKEN: '', EIO_PROFILE: '' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}
const json = async (args: string[], opts?: { stdin?: string }) => {
  const r = await eio([...args, '--json'], opts);
  expect(
    r.stderr.split('\n').filter((l) => l.startsWith('eio:')),
    args.join(' '),
  ).toEqual([]);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  h = await startHarness({ demo: true });
  const print = async (role: 'operator' | 'admin') => `printf '%s\\n' ${await h.token(role, { ttlSeconds: 3600 })}`;
  expect((await eio(['profile', 'set', 'admin', '--url', h.stack.baseUrl, '--token-command', await print('admin')])).code).toBe(0);
  expect((await eio(['profile', 'set', 'local', '--url', h.stack.baseUrl, '--token-command', await print('operator')])).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await h?.close();
});

describe('eio CLI through the runbook', () => {
  it('profiles: the last one set is current', async () => {
    const r = await eio(['profile', 'list']);
    expect(r.stdout).toMatch(/\*\s+local\s+http:\/\/\S+:\d+/);
  });

  it('health and workers: a table naming each component and pool', async () => {
    const health = await eio(['health']);
    expect(health.stdout).toMatch(/^EIO .*: (OK|DEGRADED|CRITICAL)/);
    expect(health.stdout).toMatch(/COMPONENT\s+STATUS\s+MESSAGE/);
    expect(health.stdout).toContain('queues');
    const workers = await eio(['workers']);
    expect(workers.stdout).toMatch(/jobs\s+worker-001/);
    expect(workers.stdout).toContain('job-steps');
  });

  it('vCenter sync: full sync of vc-001 followed to its end, then the instance', async () => {
    const r = await eio(['vcenter', 'sync', 'vc-001', '--type', 'full', '--follow', '--json']);
    expect(r.stderr).toMatch(/vc-001: (queued|running|succeeded)/);
    expect(JSON.parse(r.stdout).sync_runs[0]).toMatchObject({ instance_id: 'vc-001', status: 'succeeded' });
    expect(await json(['vcenter', 'get', 'vc-001'])).toMatchObject({ id: 'vc-001', reachable: true });
  });

  it('Dell discovery of site-001 followed to its end; an endpoint that does not exist', async () => {
    const run = await json(['dell', 'discover', 'site-001', '--follow']);
    expect(run.status).not.toBe('running');
    expect(run.id).toMatch(/^disc-/);
    // The demo's simulated iDRACs are off here (fixed ports): an endpoint that is not there is one line, exit 1.
    const missing = await eio(['dell', 'endpoint', 'idrac-001']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^eio: 404 not_found: iDRAC endpoint 'idrac-001' does not exist/);
  });

  it('jobs: the post-maintenance check job created as job-001, followed, read, its blocking VMs', async () => {
    const job = await json(['jobs', 'create', '--id', 'job-001', '--type', 'health_check', '--target', 'vc-001', '--follow']);
    expect(job).toMatchObject({ id: 'job-001' });
    expect(['succeeded', 'failed']).toContain(job.status);
    const get = await eio(['jobs', 'get', 'job-001']);
    expect(get.stdout).toMatch(/id\s+job-001/);
    expect(get.stdout).toMatch(/STEP\s+TARGET\s+STATUS/);
    expect(await json(['jobs', 'blocking-vms', 'job-001'])).toMatchObject({ job_id: 'job-001', items: [] });
    const resume = await eio(['jobs', 'resume', 'job-001', '--action', 'retry']);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/^eio: 409/);
  });

  it('maintenance window: pause the scheduler, a job waits, cancel it, resume the scheduler', async () => {
    expect((await json(['scheduler', 'pause', '--reason', 'vCenter upgrade'])).on).toBe(true);
    const held = await json(['jobs', 'create', '--type', 'health_check', '--target', 'site-001']);
    expect((await json(['jobs', 'get', held.id])).status).toBe('queued');
    expect((await json(['jobs', 'cancel', held.id])).status).toBe('cancelled');
    expect(await json(['scheduler', 'resume'])).toMatchObject({ on: false });
    expect((await eio(['scheduler'])).stdout).toMatch(/^scheduler: running \(by test-operator/);
  });

  it('kill switch: operators are refused, an admin profile activates and deactivates it', async () => {
    const refused = await eio(['kill-switch', 'activate']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^eio: 403/);
    expect(await json(['--profile', 'admin', 'kill-switch', 'activate', '--reason', 'drill'])).toMatchObject({ on: true, reason: 'drill' });
    expect((await eio(['kill-switch', 'status'])).stdout).toMatch(/^kill-switch: ACTIVE/);
    expect(await json(['--profile', 'admin', 'kill-switch', 'deactivate'])).toMatchObject({ on: false });
  });

  it('IPAM observations of an address', async () => {
    const r = await json(['ipam', 'observations', '--address', '127.0.0.11']);
    expect(Array.isArray(r.items)).toBe(true);
  });

  it('service identities: verify, activity, rotate with the secret on stdin', async () => {
    expect((await json(['identities', 'verify', 'si-001'])).result).toMatch(/verified|rejected|unavailable/);
    const rotated = await eio(['--profile', 'admin', 'identities', 'rotate', 'si-001', '--secret-stdin'], { stdin: 'new-password\n' });
    expect(rotated.code, rotated.stderr).toBe(0);
    const activity = await json(['identities', 'activity', 'si-001']);
    expect(activity.items.map((a: { action: string }) => a.action)).toContain('credential.rotated');
  });

  it('backups: none yet is exit 1, saying so', async () => {
    const r = await eio(['backups']);
    expect(r).toMatchObject({ code: 1, stdout: 'no backup yet (local)\n' });
  });

  it('worker drain by runbook worker id, then undrain', async () => {
    expect(await json(['workers', 'drain', 'worker-001'])).toMatchObject({ pool: 'jobs', draining: true });
    expect((await eio(['workers', 'undrain', 'worker-001'])).stdout).toContain('jobs (worker-001): taking work');
  });
});
