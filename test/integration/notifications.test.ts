/**
 * Operator notifications on the local stack (issue 16, item 2): a webhook receiver on loopback gets each one
 * POSTed and signed (HMAC-SHA256 over `<timestamp>.<body>`), never with a secret in it. Every kind the issue
 * lists is sent by the real path that causes it: a job paused for an operator, an approval requested, a job
 * failed, the kill switch on and off, and health turning critical (one failed job is critical here, so the
 * housekeeping sweep notifies).
 */

import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from '../../shared/adapters/notifier/webhook-notifier';
import { SCHEDULES, scheduleInput } from '../../shared/catalog/schedules';
import { ENGINE_TEST, registerEngineTestJob } from '../support/engine-test-job';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/wait';

registerEngineTestJob(join(mkdtempSync(join(tmpdir(), 'eio-ledger-')), 'ledger.jsonl'));

const SECRET = 'webhook-signing-key-for-tests';
// One failed job in 24 h is critical, so health turns critical as soon as a job fails here.
const ENV = { NOTIFY_WEBHOOK_SECRET: SECRET, THRESHOLD_FAILED_JOBS_24H_WARNING: '0', THRESHOLD_FAILED_JOBS_24H_CRITICAL: '0' };
type Received = { body: any; raw: string; signature: string; timestamp: string };
const received: Received[] = [];
let receiver: Server;
let h: Harness;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({
        raw,
        body: JSON.parse(raw),
        signature: String(req.headers[SIGNATURE_HEADER]),
        timestamp: String(req.headers[TIMESTAMP_HEADER]),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  process.env.NOTIFY_WEBHOOK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/eio`;
  Object.assign(process.env, ENV);
  h = await startHarness();
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-n', name: 'site-n' } });
});
afterAll(async () => {
  await h?.close();
  delete process.env.NOTIFY_WEBHOOK_URL;
  for (const k of Object.keys(ENV)) delete process.env[k];
  await new Promise((r) => receiver.close(r));
});

const until = (kind: string, subjectId: string) =>
  waitFor(`a ${kind} notification for ${subjectId}`, async () =>
    received.find((r) => r.body.kind === kind && r.body.subject_id === subjectId),
  );

describe('operator notifications to a signed webhook', () => {
  it('a failed job: signed, naming the job and why', async () => {
    const job = await h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: ENGINE_TEST, target_ids: ['site-n'], params: { fail_targets: ['site-n'] } },
    });
    const got = await until('job.failed', job.body.id);
    expect(got.body).toMatchObject({ kind: 'job.failed', details: { job_id: job.body.id, type: ENGINE_TEST } });
    expect(got.body.subject).toContain(job.body.id);
    expect(got.signature).toBe(signPayload(SECRET, got.timestamp, got.raw));
    expect(got.signature).not.toBe(signPayload('another key', got.timestamp, got.raw));
  });

  it('a job paused for an operator: signed, naming the step, the wait and the actions that end it', async () => {
    const job = await h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: ENGINE_TEST, target_ids: ['site-n'], params: { pause: true } },
    });
    expect(job.status, job.text).toBe(202);
    const got = await until('job.paused', job.body.id);
    const paused = (await h.call('GET', `/api/v1/jobs/${job.body.id}`, { role: 'viewer' })).body;
    expect(paused).toMatchObject({ status: 'paused', waiting_for: { kind: 'operator' } });
    expect(got.body).toMatchObject({
      kind: 'job.paused',
      subject: `EIO job ${job.body.id} (${ENGINE_TEST}) paused: ${paused.waiting_for.step}`,
      message: paused.waiting_for.message,
      details: { job_id: job.body.id, step: paused.waiting_for.step, valid_actions: paused.waiting_for.valid_actions.join(', ') },
    });
    expect(got.signature).toBe(signPayload(SECRET, got.timestamp, got.raw));
    expect((await h.call('POST', `/api/v1/jobs/${job.body.id}/cancel`, { role: 'operator', body: {} })).status).toBe(200);
  });

  it('health turned critical: the housekeeping sweep notifies once, naming the component and why', async () => {
    const job = await h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: ENGINE_TEST, target_ids: ['site-n'], params: { fail_targets: ['site-n'] } },
    });
    await until('job.failed', job.body.id);
    await h.stack.deps.queue.send(SCHEDULES.housekeeping!.pool, [{ body: scheduleInput('housekeeping', SCHEDULES.housekeeping!) }]);
    const got = await until('health.critical', 'health');
    expect(got.body.subject).toMatch(/^EIO health is critical: .*\bjobs\b/);
    expect(got.body.details.jobs).toMatch(/job\(s\) failed in the last 24 h \(warning > 0, critical > 0\)/);
    expect(got.signature).toBe(signPayload(SECRET, got.timestamp, got.raw));
  });

  it('an approval requested: names the job, the approval and when it expires', async () => {
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-appr', name: 'site-appr' } });
    const policy = await h.call('POST', '/api/v1/policies', {
      role: 'admin',
      body: { name: 'four eyes', job_types: [ENGINE_TEST], target_ids: ['site-appr'], requires_approval: true },
    });
    expect(policy.status).toBe(201);
    const job = await h.call('POST', '/api/v1/jobs', { role: 'operator', body: { type: ENGINE_TEST, target_ids: ['site-appr'] } });
    const got = await waitFor('an approval.requested notification', async () =>
      received.find((r) => r.body.kind === 'approval.requested' && r.body.details?.job_id === job.body.id),
    );
    expect(got.body.subject_id).toMatch(/^appr/);
    expect(got.body.details).toMatchObject({ approval_id: got.body.subject_id, requested_by: 'test-operator' });
    expect(got.signature).toBe(signPayload(SECRET, got.timestamp, got.raw));
  });

  it('kill switch on and off, with who and why, and no token or secret anywhere', async () => {
    await h.call('POST', '/api/v1/system/kill-switch/activate', { role: 'admin', body: { reason: 'storage alarm' } });
    const on = await until('kill_switch.on', 'kill-switch');
    expect(on.body.details).toEqual({ changed_by: 'test-admin', reason: 'storage alarm' });
    await h.call('POST', '/api/v1/system/kill-switch/deactivate', { role: 'admin' });
    await until('kill_switch.off', 'kill-switch');
    for (const r of received) {
      expect(r.raw).not.toContain(SECRET);
      expect(r.raw).not.toMatch(/Bearer|eyJ/);
    }
  });
});
