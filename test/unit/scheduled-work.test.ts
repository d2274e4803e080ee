/**
 * The scheduler pause as the Lambda workers honour it (issue 16, item 3): each schedule's tick is the body
 * both runtimes send (scheduleInput; CDK's schedule input is asserted equal in test/cdk), handled by the
 * worker function itself. Held rows do nothing while the switch is on; housekeeping is never held.
 */
import type { SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as vcenterSyncWorker } from '../../functions/workers/vcenter-sync';
import { SCHEDULES, scheduleInput } from '../../shared/catalog/schedules';
import { provideDeps } from '../../shared/container';
import { switches } from '../../shared/records/switches';
import { vcenterInstances } from '../../shared/records/vcenter';
import type { Deps } from '../../shared/usecases/deps';
import { heldByPausedScheduler } from '../../shared/usecases/scheduled-work';
import { instanceRecord } from '../support/fake-vcenter';
import { RecordingQueue, unitDeps } from '../support/fakes';

let d: Omit<ReturnType<typeof unitDeps>, 'queue'> & { queue: RecordingQueue };
const pause = (on: boolean) => switches.update(d.store, 'scheduler', (s) => ({ ...s, on }));
const tick = (name: string): SQSEvent =>
  ({ Records: [{ messageId: `tick-${name}`, body: scheduleInput(name, SCHEDULES[name]!), attributes: {} }] }) as unknown as SQSEvent;

beforeEach(async () => {
  d = { ...unitDeps(), queue: new RecordingQueue() };
  provideDeps(d as unknown as Deps);
  await switches.create(d.store, { id: 'scheduler', on: true, history: [], version: 1 } as never);
  await vcenterInstances.create(d.store, instanceRecord('vc-001', new Date(d.clock.now()).toISOString()));
});

describe('scheduler pause, as every scheduled target checks it', () => {
  it('holds every row but housekeeping while paused, and nothing once resumed', async () => {
    const held = async () =>
      Object.fromEntries(await Promise.all(Object.keys(SCHEDULES).map(async (n) => [n, await heldByPausedScheduler(d, { schedule: n })])));
    expect(await held()).toEqual({
      housekeeping: false,
      'vcenter-delta-sync': true,
      'vcenter-full-sync': true,
      'idrac-discovery': true,
      'ipam-reconciliation': true,
    });
    await pause(false);
    expect(Object.values(await held()).some(Boolean)).toBe(false);
  });

  it('never holds work no schedule sent (an operator request)', async () => {
    expect(await heldByPausedScheduler(d, {})).toBe(false);
  });

  it("the vCenter sync worker drops the delta schedule's tick while paused and queues the syncs after resume", async () => {
    await vcenterSyncWorker(tick('vcenter-delta-sync'), {} as never);
    expect(d.queue.sent).toEqual([]);
    await pause(false);
    await vcenterSyncWorker(tick('vcenter-delta-sync'), {} as never);
    expect(d.queue.sent.map((s) => [s.queue, JSON.parse(s.message.body).instance_id])).toEqual([['vcenter-sync', 'vc-001']]);
  });
});
