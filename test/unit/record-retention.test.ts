import { afterEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/config';
import { EXPIRES_AT } from '../../shared/ports/store';
import { auditItem } from '../../shared/records/audit';
import { idempotencyKey, idempotencyKeys, putStep } from '../../shared/records/jobs';
import { MemoryStore } from '../support/memory-store';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

afterEach(() => {
  delete process.env.RETENTION_AUDIT_DAYS;
  delete process.env.RETENTION_IDEMPOTENCY_KEY_HOURS;
  resetConfig();
});

describe('retention (the table TTL attribute)', () => {
  it('audit entries expire after RETENTION_AUDIT_DAYS, job steps after RETENTION_JOB_STEPS_DAYS (defaults 365 and 90)', async () => {
    expect(auditItem({ subject_id: 'site-1', action: 'site.created', at: new Date(T0).toISOString() })[EXPIRES_AT]).toBe(
      (T0 + 365 * DAY) / 1000,
    );
    process.env.RETENTION_AUDIT_DAYS = '30';
    resetConfig();
    expect(auditItem({ subject_id: 'site-1', action: 'site.created', at: new Date(T0).toISOString() })[EXPIRES_AT]).toBe(
      (T0 + 30 * DAY) / 1000,
    );

    const store = new MemoryStore();
    await putStep(store, {
      step_id: 'step-1',
      job_id: 'job-1',
      name: 'Start job',
      status: 'running',
      started_at: new Date(T0).toISOString(),
    });
    expect((await store.get({ pk: 'JOB#job-1', sk: 'STEP#step-1' }))?.[EXPIRES_AT]).toBe((T0 + 90 * DAY) / 1000);
  });

  it('an idempotency key holds for its retention; past it, the same key is taken over by a new request', async () => {
    process.env.RETENTION_IDEMPOTENCY_KEY_HOURS = '2';
    resetConfig();
    const store = new MemoryStore();
    const first = { job_id: 'job-1', fingerprint: 'a', created_at: new Date(T0).toISOString() };
    const second = { job_id: 'job-2', fingerprint: 'b', created_at: new Date(T0 + 3 * HOUR).toISOString() };

    expect(await idempotencyKeys.claim(store, 'k', first, T0)).toBe(true);
    expect(await idempotencyKeys.claim(store, 'k', { ...second, created_at: new Date(T0 + HOUR).toISOString() }, T0 + HOUR)).toBe(false);
    expect(await idempotencyKeys.find(store, 'k', T0 + HOUR)).toEqual({ ...first, version: 1 });

    // Two hours on, DynamoDB may not have removed it yet: it no longer counts, and one request takes it over.
    expect(await idempotencyKeys.find(store, 'k', T0 + 3 * HOUR)).toBeUndefined();
    const [a, b] = await Promise.all([
      idempotencyKeys.claim(store, 'k', second, T0 + 3 * HOUR),
      idempotencyKeys.claim(store, 'k', { ...second, job_id: 'job-3' }, T0 + 3 * HOUR),
    ]);
    expect([a, b].sort()).toEqual([false, true]);
    const held = await store.get(idempotencyKey('k'));
    expect(held?.version).toBe(2);
    expect(held?.[EXPIRES_AT]).toBe((T0 + 5 * HOUR) / 1000);
  });
});
