/**
 * Operator notifications (issue 16, item 2) through a fake of our Notifier port: delivery failures never fail
 * the work, secrets never ride along, and health notifies once when it turns critical.
 */
import { describe, expect, it } from 'vitest';
import type { ComponentHealth } from '../../shared/domain/health';
import type { Notification } from '../../shared/ports/notifier';
import type { Deps } from '../../shared/usecases/deps';
import type { HealthReport } from '../../shared/usecases/health';
import { watchHealth } from '../../shared/usecases/health-alerts';
import { notification, notifyOperators } from '../../shared/usecases/notifications';
import { unitDeps } from '../support/fakes';

const recording = () => {
  const sent: Notification[] = [];
  return { sent, notifier: { notify: async (n: Notification) => void sent.push(n) } };
};

const report = (components: Record<string, ComponentHealth>): HealthReport => ({
  status: Object.values(components).some((c) => c.status === 'critical') ? 'critical' : 'ok',
  version: 'test',
  started_at: '',
  uptime_seconds: 0,
  checked_at: '',
  components,
});

describe('notifyOperators', () => {
  it('redacts secret-looking details and never throws when delivery fails', async () => {
    const { sent, notifier } = recording();
    await notifyOperators({ notifier }, notification('job.failed', 'now', 'job-1', 's', 'm', { job_id: 'job-1', password: 'hunter2' }));
    expect(sent[0]!.details).toEqual({ job_id: 'job-1', password: '[REDACTED]' });
    const broken = { notify: async () => Promise.reject(new Error('pager down')) };
    await expect(notifyOperators({ notifier: broken }, notification('job.failed', 'now', 'job-1', 's', 'm'))).resolves.toBeUndefined();
  });
});

describe('health critical', () => {
  it('notifies once when health turns critical, naming the component and why; again only after it recovered', async () => {
    const { sent, notifier } = recording();
    const d = { ...unitDeps(), notifier } as unknown as Deps;
    const critical = report({
      store: { status: 'ok', message: 'fine' },
      queues: { status: 'critical', message: 'job queue: 201 job(s) waiting' },
    });
    expect(await watchHealth(d, critical)).toEqual({ level: 'critical', notified: true });
    expect(await watchHealth(d, critical)).toEqual({ level: 'critical', notified: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: 'health.critical',
      subject: 'EIO health is critical: queues',
      message: 'queues: job queue: 201 job(s) waiting',
    });
    await watchHealth(d, report({ queues: { status: 'ok', message: 'fine' } }));
    await watchHealth(d, critical);
    expect(sent).toHaveLength(2);
  });
});
