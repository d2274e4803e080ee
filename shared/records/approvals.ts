import type { Approval } from '../domain/approval';
import type { Policy } from '../domain/policy';
import { Entity } from './entity';

/** Approvals: gsi2 APPROVALSTATUS#<status> / <created_at>#<id> serves "pending approvals". */
export const approvals = new Entity<Approval>('approval', 'APPR', (a) => ({
  gsi1sk: `${a.created_at}#${a.id}`,
  gsi2pk: `APPROVALSTATUS#${a.status}`,
  gsi2sk: `${a.created_at}#${a.id}`,
}));
export const approvalStatusPartition = (status: string) => `APPROVALSTATUS#${status}`;

export const policies = new Entity<Policy>('policy', 'POL');
