/** Approvals: gsi2 APPROVALSTATUS#<status> / <created_at>#<id> serves "pending approvals". */
import type { Approval, ApprovalStatus } from '../domain/approval';
import type { Policy } from '../domain/policy';
import type { Page, Store } from '../ports/store';
import { Entity, type ListPage } from './entity';

const statusPartition = (status: string) => `APPROVALSTATUS#${status}`;

class ApprovalRecords extends Entity<Approval> {
  /** Approvals in one status by creation time (oldest first unless descending). */
  byStatus(store: Store, status: ApprovalStatus, page: ListPage): Promise<Page<Approval>> {
    return this.listBy(store, statusPartition(status), page);
  }

  /** Every approval in one status, page after page (the expiry sweep). */
  eachInStatus(store: Store, status: ApprovalStatus): AsyncGenerator<Approval> {
    return this.eachIn(store, statusPartition(status));
  }
}

export const approvals = new ApprovalRecords('approval', 'APPR', (a) => ({
  gsi1sk: `${a.created_at}#${a.id}`,
  gsi2pk: statusPartition(a.status),
  gsi2sk: `${a.created_at}#${a.id}`,
}));

/** Policies; those stored before `allowed_resume_actions` existed read as allowing none. */
class PolicyRecords extends Entity<Policy> {
  override async find(store: Store, id: string): Promise<Policy | undefined> {
    const found = await super.find(store, id);
    return found && withDefaults(found);
  }

  override async list(store: Store, page: ListPage): Promise<Page<Policy>> {
    const result = await super.list(store, page);
    return { ...result, items: result.items.map(withDefaults) };
  }

  /** Every policy (a handful: read whole, to evaluate them all). */
  async all(store: Store): Promise<Policy[]> {
    const out: Policy[] = [];
    for await (const p of this.each(store)) out.push(p);
    return out;
  }
}

const withDefaults = (stored: Policy): Policy => ({ ...stored, allowed_resume_actions: stored.allowed_resume_actions ?? [] });

export const policies = new PolicyRecords('policy', 'POL');
