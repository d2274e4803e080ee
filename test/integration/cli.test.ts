/**
 * The `eio` CLI end to end (issue 16, item 5): the installed bin (bin/eio.mjs) run as a separate process against
 * the local stack with the demo lab, through the runbook's procedures in order, with profiles whose token
 * comes from a command, tables by default and --json for the checks. One simulated iDRAC of this file's own
 * (127.177.0.x, its own ports) gives the endpoint, firmware and credential rotation commands a real target.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Harness, startHarness } from '../support/harness';
import { registerSimulatedIdrac } from '../support/simulated-idracs';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'eio.mjs');
const CONFIG = join(mkdtempSync(join(tmpdir(), 'eio-cli-')), 'config.json');
let h: Harness;
let idracs: SimulatorFleet;

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
  idracs = await SimulatorFleet.start({
    count: 1,
    baseAddress: '127.177.0.1',
    credentials: { username: 'root', password: 'calvin' },
    certDir: join(tmpdir(), 'eio-idrac-client-test-certs'),
    speed: 200,
    seed: 'cli',
  });
  const si = await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-cli', name: 'si-cli', target_kind: 'idrac', username: 'root', secret: 'calvin' },
  });
  expect(si.status, si.text).toBe(201);
  await registerSimulatedIdrac(h, 'idrac-cli', idracs.info()[0]!, { site_id: 'site-001', service_identity_id: 'si-cli' });
}, 180_000);
afterAll(async () => {
  await h?.close();
  await idracs?.stop();
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
    // "Check recent sync errors": the runs, newest first, and one run.
    const runs = await json(['vcenter', 'sync-runs', '--instance', 'vc-001', '--limit', '5']);
    expect(runs.items[0]).toMatchObject({ instance_id: 'vc-001', status: 'succeeded' });
    expect((await eio(['vcenter', 'sync-run', runs.items[0].id])).stdout).toMatch(
      /^RUN\s+INSTANCE\s+TYPE\s+STATUS[^\n]*\n\S+\s+vc-001\s+full\s+succeeded/,
    );
    expect((await eio(['vcenter', 'list'])).stdout).toMatch(/vc-001\s+\S.*\btrue\b/);
  });

  it('Dell discovery of site-001 followed to its end; an endpoint that does not exist', async () => {
    const run = await json(['dell', 'discover', 'site-001', '--follow']);
    expect(run.status).not.toBe('running');
    expect(run.id).toMatch(/^disc-/);
    // The demo's simulated iDRACs are off here (fixed ports): an endpoint that is not there is one line, exit 1.
    const missing = await eio(['dell', 'endpoint', 'idrac-001']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^eio: 404 not_found: iDRAC endpoint 'idrac-001' does not exist/);
    expect((await json(['dell', 'discovery-runs'])).items.map((r: { id: string }) => r.id)).toContain(run.id);
  });

  it('iDRAC endpoints: the list, a refresh, its iDRAC jobs ledger, its firmware compliance', async () => {
    expect((await eio(['dell', 'endpoints', '--site', 'site-001'])).stdout).toMatch(/idrac-cli\s+127\.177\.0\.1\s+site-001\s+reachable/);
    expect(await json(['dell', 'refresh', 'idrac-cli'])).toMatchObject({ id: 'idrac-cli', status: 'reachable' });
    expect(await eio(['dell', 'idrac-jobs', 'idrac-cli'])).toMatchObject({ code: 0, stdout: 'none\n' });
    expect(await json(['dell', 'idrac-jobs', 'idrac-cli'])).toMatchObject({ items: [] });
    expect((await eio(['firmware', 'baselines'])).stdout).toBe('none\n');
    const compliance = await json(['firmware', 'compliance', '--endpoint', 'idrac-cli']);
    expect(compliance.items).toEqual([expect.objectContaining({ endpoint_id: 'idrac-cli', status: 'no_baseline' })]);
    expect((await eio(['firmware', 'baseline', 'fwb-none'])).stderr).toMatch(/^eio: 404/);
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
    // The cancelled job is run again, keeping a link to the one it retries.
    expect(await json(['jobs', 'retry', held.id])).toMatchObject({ retry_of: held.id });
  });

  it('pre-maintenance: pending approvals are listed; deciding one that does not exist is 404', async () => {
    expect(await json(['approvals', '--status', 'pending'])).toMatchObject({ items: expect.any(Array) });
    const unknown = await eio(['--profile', 'admin', 'approvals', 'approve', 'appr-none', '--comment', 'ok']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^eio: 404 /);
  });

  it('kill switch: operators are refused, an admin profile activates and deactivates it', async () => {
    const refused = await eio(['kill-switch', 'activate']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^eio: 403/);
    expect(await json(['--profile', 'admin', 'kill-switch', 'activate', '--reason', 'drill'])).toMatchObject({ on: true, reason: 'drill' });
    expect((await eio(['kill-switch', 'status'])).stdout).toMatch(/^kill-switch: ACTIVE/);
    expect(await json(['--profile', 'admin', 'kill-switch', 'deactivate'])).toMatchObject({ on: false });
    // Who did it, from the audit trail.
    const audit = await json(['audit', '--entity', 'kill-switch']);
    expect(audit.items.slice(0, 2).map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['kill-switch.off', 'test-admin'],
      ['kill-switch.on', 'test-admin'],
    ]);
    expect((await eio(['audit', '--entity', 'kill-switch', '--limit', '1'])).stdout).toMatch(
      /kill-switch\s+kill-switch\.off\s+test-admin[\s\S]*\(more: --next-token \S+\)/,
    );
  });

  it('read-only mode: an admin turns it on saying why, writes are refused with 503, reads work, then off', async () => {
    expect((await eio(['--profile', 'admin', 'read-only', 'activate'])).stderr).toContain("required option '--reason <text>'");
    expect(await json(['--profile', 'admin', 'read-only', 'activate', '--reason', 'storage failover'])).toMatchObject({ on: true });
    const refused = await eio(['jobs', 'create', '--type', 'health_check', '--target', 'site-001']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^eio: 503 .*storage failover/);
    expect((await eio(['read-only'])).stdout).toMatch(
      /^read-only: ON: every write is refused \(503\) \(by test-admin at \S+: storage failover\)/,
    );
    expect(await json(['--profile', 'admin', 'read-only', 'deactivate'])).toMatchObject({ on: false });
  });

  it('upstreams: each breaker with its limits; resetting one is for admins', async () => {
    const table = await eio(['upstreams']);
    expect(table.stdout).toMatch(/^UPSTREAM\s+NAME\s+BREAKER\s+FAILURES/);
    expect(table.stdout).toMatch(/vcenter:vc-001\s+.*\s+closed\s+0\/5\s/);
    const [vc] = (await json(['upstreams', '--kind', 'vcenter'])).items;
    expect(vc).toMatchObject({
      id: 'vcenter:vc-001',
      limits: { max_concurrent_requests: expect.any(Number), breaker: { failure_threshold: 5 } },
    });
    expect((await eio(['upstreams', 'reset', 'vcenter:vc-001'])).stderr).toMatch(/^eio: 403/);
    const reset = await json(['--profile', 'admin', 'upstreams', 'reset', 'vcenter:vc-001']);
    expect(reset).toMatchObject({ id: 'vcenter:vc-001', breaker: { state: 'closed', reset_by: 'test-admin' } });
  });

  it('the OpenAPI document, always JSON', async () => {
    const doc = JSON.parse((await eio(['openapi'])).stdout);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/upstreams'].get).toBeDefined();
  });

  it('IPAM: observations of an address, findings, an exception for a multi-homed host, resolving a finding', async () => {
    const r = await json(['ipam', 'observations', '--address', '127.0.0.11']);
    expect(Array.isArray(r.items)).toBe(true);
    expect(await json(['ipam', 'findings', '--type', 'duplicate_usage'])).toMatchObject({ items: expect.any(Array) });
    const scope = ['--owner', 'platform', '--reason', 'multi-homed host', '--expires', '2030-01-01T00:00:00Z'];
    const both = await eio(['ipam', 'exceptions', 'add', ...scope, '--entity', 'idrac-cli', '--address', '127.177.0.1']);
    expect(both).toMatchObject({ code: 1, stderr: 'eio: give exactly one scope: --address, --entity or --prefix\n' });
    const added = await json(['ipam', 'exceptions', 'add', ...scope, '--entity', 'idrac-cli', '--type', 'duplicate_usage']);
    expect(added).toMatchObject({ scope: { type: 'entity', value: 'idrac-cli' }, finding_types: ['duplicate_usage'] });
    expect((await eio(['ipam', 'exceptions'])).stdout).toMatch(new RegExp(`${added.id}\\s+entity idrac-cli\\s+platform`));
    const unknown = await eio(['ipam', 'resolve', 'ipf-none', '--explanation', 'known multi-homed host']);
    expect(unknown.stderr).toMatch(/^eio: 404/);
  });

  it('service identities: verify, activity, rotate with the secret on stdin', async () => {
    expect((await json(['identities', 'verify', 'si-001'])).result).toMatch(/verified|rejected|unavailable/);
    const rotated = await eio(['--profile', 'admin', 'identities', 'rotate', 'si-001', '--secret-stdin'], { stdin: 'new-password\n' });
    expect(rotated.code, rotated.stderr).toBe(0);
    const activity = await json(['identities', 'activity', 'si-001']);
    expect(activity.items.map((a: { action: string }) => a.action)).toContain('credential.rotated');
  });

  it('service identities: a generated password set on the iDRAC, followed to its end, then read back', async () => {
    const r = await eio(['--profile', 'admin', 'identities', 'rotate', 'si-cli', '--follow', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/: (pending|setting|testing|succeeded) \(idrac-cli /);
    const rotation = JSON.parse(r.stdout);
    expect(rotation).toMatchObject({ service_identity_id: 'si-cli', status: 'succeeded', targets: [{ id: 'idrac-cli', canary: true }] });
    const shown = await eio(['identities', 'rotation', 'si-cli', rotation.id]);
    expect(shown.stdout).toMatch(/status\s+succeeded/);
    expect(shown.stdout).toMatch(/idrac-cli\s+127\.177\.0\.1\s+true\s+\S+/);
  });

  it('backups: none yet is exit 1, saying so', async () => {
    const r = await eio(['backups']);
    expect(r).toMatchObject({ code: 1, stdout: 'no backup yet (local)\n' });
  });

  it('worker drain by runbook worker id, then undrain', async () => {
    expect(await json(['workers', 'drain', 'worker-001'])).toMatchObject({ pool: 'jobs', draining: true });
    expect((await eio(['workers', 'undrain', 'worker-001'])).stdout).toContain('jobs (worker-001): taking work');
  });

  it('scale a worker pool up and back, audited with both figures', async () => {
    const before = (await json(['workers'])).pools.find((p: { pool: string }) => p.pool === 'jobs').concurrency_limit;
    expect((await eio(['workers', 'scale', 'worker-001', String(before + 2)])).stdout).toMatch(
      new RegExp(`^jobs \\(worker-001\\): concurrency ${before + 2}, \\d+ in flight`),
    );
    expect(await json(['workers', 'scale', 'jobs', String(before)])).toMatchObject({ pool: 'jobs', concurrency_limit: before });
    const [last] = (await json(['audit', '--entity', 'pool:jobs', '--action', 'pool.scaled'])).items;
    expect(last).toMatchObject({ actor: 'test-operator', detail: { from: before + 2, to: before } });
    expect((await eio(['workers', 'scale', 'jobs', 'many'])).stderr).toBe("eio: concurrency must be a whole number, got 'many'\n");
  });
});
