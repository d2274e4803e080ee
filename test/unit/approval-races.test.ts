import { describe, expect, it } from 'vitest';
import type { Approval } from '../../shared/domain/approval';
import type { Job } from '../../shared/domain/job';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import type { Item, WriteCondition } from '../../shared/ports/store';
import type { VCenter } from '../../shared/ports/vcenter';
import { TaskTokenInvalidError, type Workflows } from '../../shared/ports/workflows';
import { approvals } from '../../shared/records/approvals';
import { jobs } from '../../shared/records/jobs';
import { decideApproval } from '../../shared/usecases/jobs/approvals';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { cancelJob } from '../../shared/usecases/jobs/control';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const AT = '2026-12-05T00:00:00.000Z';

/** Runs `between` once, right after the first write of an approval recording `status`. */
class AfterApprovalWrite extends MemoryStore {
  between?: () => Promise<unknown>;
  constructor(private readonly status: string) {
    super();
  }
  override async put(item: Item, condition?: WriteCondition): Promise<void> {
    await super.put(item, condition);
    if (String(item.pk).startsWith('APPR#') && item.status === this.status && this.between) {
      const run = this.between;
      this.between = undefined;
      await run();
    }
  }
}

/** An execution waiting on one task token; stopping it voids the token, as Step Functions does. */
function workflows(): Workflows & { stopped: boolean } {
  const w = {
    stopped: false,
    stop: async () => {
      w.stopped = true;
    },
    sendTaskSuccess: async () => {
      if (w.stopped) throw new TaskTokenInvalidError();
    },
    sendTaskFailure: async () => {
      if (w.stopped) throw new TaskTokenInvalidError();
    },
  };
  return w as unknown as Workflows & { stopped: boolean };
}

async function waitingJob(store: MemoryStore) {
  const wf = workflows();
  const deps: EngineDeps = {
    store,
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: { send: async (_q: string, m: unknown[]) => m.map((_x, i) => `m-${i}`) } as unknown as Queue,
    workflows: wf,
    idrac: {} as Idrac,
    vcenter: {} as VCenter,
  };
  await jobs.create(store, {
    id: 'job-1',
    type: 'health_check',
    target_ids: ['site-a'],
    params: {},
    status: 'awaiting_approval',
    requested_by: 'alice',
    requires_approval: true,
    approval_policy_id: 'policy-1',
    execution_id: 'exec-1',
    waiting_for: { kind: 'approval', approval_id: 'approval-1' },
    created_at: AT,
    updated_at: AT,
    execution_attempt: 1,
    version: 1,
  } as unknown as Job);
  await approvals.create(store, {
    id: 'approval-1',
    job_id: 'job-1',
    job_type: 'health_check',
    target_ids: ['site-a'],
    requested_by: 'alice',
    policy_id: 'policy-1',
    status: 'pending',
    created_at: AT,
    expires_at: '2026-12-06T00:00:00.000Z',
    history: [],
    task_token: 'token-1',
    version: 1,
  } as Approval);
  return { deps, wf };
}

describe('an approval racing a cancel', () => {
  it('a cancel right after the approval was recorded: the approver is answered, the job ran before it was cancelled', async () => {
    const store = new AfterApprovalWrite('approved');
    const { deps } = await waitingJob(store);
    const statusWhenCancelled: string[] = [];
    store.between = async () => {
      statusWhenCancelled.push((await jobs.get(store, 'job-1')).status);
      await cancelJob(deps, 'job-1', 'carol');
    };
    const decided = await decideApproval(deps, 'approval-1', 'approve', 'bob');
    expect(decided).toMatchObject({ status: 'approved', decided_by: 'bob' });
    // Never "approved" on a job that was cancelled without running: the approval had taken it first.
    expect(statusWhenCancelled).toEqual(['running']);
    expect(await jobs.get(store, 'job-1')).toMatchObject({ status: 'cancelled', cancelled_by: 'carol' });
  });

  it('a cancel that came first: the approver gets 409 and the approval is closed as cancelled, not approved', async () => {
    const store = new MemoryStore();
    const { deps } = await waitingJob(store);
    await cancelJob(deps, 'job-1', 'carol');
    await expect(decideApproval(deps, 'approval-1', 'approve', 'bob')).rejects.toMatchObject({ name: 'ConflictError' });
    expect(await approvals.get(store, 'approval-1')).toMatchObject({ status: 'cancelled' });
  });
});
