/**
 * The ledger of iDRAC jobs EIO creates: pk IDRACJOB#<endpoint id>|<job id>|<n> / sk IDRACJOB;
 * gsi1 KIND#IDRACJOB / <id> (so one endpoint's entries are one range: `<endpoint id>|…`); gsi2
 * IDRACJOBOF#<job id> / <id> (every entry of one EIO job). Written before EIO asks the iDRAC (state
 * `requested`), then with the JID it answered; only JIDs found here are ever deleted by EIO.
 */
import type { IdracJobEntry } from '../domain/firmware';
import type { Page, Store } from '../ports/store';
import { Entity } from './entity';
import { allItems } from './paging';

class IdracJobRecords extends Entity<IdracJobEntry> {
  /** One endpoint's entries, oldest job first (GET /api/v1/dell/endpoints/{id}/idrac-jobs). */
  ofEndpoint(store: Store, endpointId: string, page: { limit: number; cursor?: string }): Promise<Page<IdracJobEntry>> {
    return this.list(store, { ...page, between: [`${endpointId}|`, `${endpointId}|~`] });
  }

  /** Every entry one EIO job created, on any endpoint. */
  ofJob(store: Store, jobId: string): Promise<IdracJobEntry[]> {
    return allItems((cursor) => this.listBy(store, `IDRACJOBOF#${jobId}`, { limit: 100, cursor }));
  }

  /** The entries one EIO job created on one endpoint: a range of the job's, not all of them. */
  ofJobOnEndpoint(store: Store, jobId: string, endpointId: string): Promise<IdracJobEntry[]> {
    const between: [string, string] = [`${endpointId}|`, `${endpointId}|~`];
    return allItems((cursor) => this.listBy(store, `IDRACJOBOF#${jobId}`, { limit: 100, cursor, between }));
  }
}

export const idracJobs = new IdracJobRecords('iDRAC job', 'IDRACJOB', (e) => ({ gsi2pk: `IDRACJOBOF#${e.job_id}`, gsi2sk: e.id }));
