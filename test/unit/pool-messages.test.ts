import { describe, expect, it } from 'vitest';
import { POOL_MESSAGES, parsePoolMessage, sendToPool } from '../../shared/catalog/messages';
import { SCHEDULES, scheduleInput } from '../../shared/catalog/schedules';
import { type PoolName, WORKER_POOLS } from '../../shared/catalog/worker-pools';
import type { OutgoingMessage, Queue } from '../../shared/ports/queue';

/** Records what was sent; the rest of the port is not used here. */
function recordingQueue() {
  const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
  const queue = {
    send: async (q: string, messages: OutgoingMessage[]) => {
      sent.push({ queue: q, messages });
      return messages.map((_, i) => `m-${i}`);
    },
  } as unknown as Queue;
  return { queue, sent };
}

describe('worker pool messages', () => {
  it('every pool has a message schema, and every schema a pool', () => {
    expect(Object.keys(POOL_MESSAGES).sort()).toEqual(Object.keys(WORKER_POOLS).sort());
  });

  it("every schedule's message is its pool's message, as the scheduler sends it (with the schedule's name)", () => {
    for (const [name, spec] of Object.entries(SCHEDULES)) {
      const body = scheduleInput(name, spec);
      expect(() => parsePoolMessage(spec.pool as PoolName, body), name).not.toThrow();
    }
  });

  it('the producer checks the message before it is queued: a bad one is refused naming the field, nothing is sent', async () => {
    const { queue, sent } = recordingQueue();
    await expect(
      sendToPool(queue, 'vcenter-sync', [{ message: { instance_id: 'vc-1', sync_type: 'sideways', sync_run_id: 'sync-1' } as never }]),
    ).rejects.toThrow(/sync_type/);
    expect(sent).toEqual([]);
  });

  it('what the producer sends, the consumer parses back; delay is kept', async () => {
    const { queue, sent } = recordingQueue();
    const message = { instance_id: 'vc-1', sync_type: 'delta' as const, sync_run_id: 'sync-1', attempt: 2 };
    await sendToPool(queue, 'vcenter-sync', [{ message, delaySeconds: 30 }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queue).toBe('vcenter-sync');
    expect(sent[0]!.messages[0]!.delaySeconds).toBe(30);
    expect(parsePoolMessage('vcenter-sync', sent[0]!.messages[0]!.body)).toEqual(message);
  });

  it('the consumer refuses a body that is not JSON or not its pool message', () => {
    expect(() => parsePoolMessage('jobs', 'not json')).toThrow(/'jobs' queue message is not JSON/);
    expect(() => parsePoolMessage('jobs', JSON.stringify({ job: 'job-1' }))).toThrow(/job_id/);
    expect(() => parsePoolMessage('discovery', JSON.stringify({ task: 'discover_everything' }))).toThrow();
  });
});
