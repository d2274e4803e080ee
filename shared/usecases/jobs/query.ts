import { type Job, type JobQuery, type JobStep, publicJob } from '../../domain/job';
import type { Page, Store } from '../../ports/store';
import { jobs, listSteps } from '../../records/jobs';
import { pages } from '../../records/paging';
import { listBlockingVms } from '../maintenance/resume';

/** A job with its steps, in the order they started. */
export async function getJobWithSteps(deps: { store: Store }, id: string): Promise<ReturnType<typeof publicJob> & { steps: JobStep[] }> {
  const job = await jobs.get(deps.store, id);
  return { ...publicJob(job), steps: await listSteps(deps.store, id) };
}

/** The VMs a paused job waits on (host maintenance), with their host, reason and the actions that would unblock them. */
export async function getBlockingVms(deps: { store: Store }, id: string) {
  const job = await jobs.get(deps.store, id);
  return { job_id: job.id, status: job.status, items: job.status === 'paused' ? listBlockingVms(job) : [] };
}

// Filters the index cannot serve are applied while reading; a page stops after this many records read, so a
// rare filter value costs bounded work per request (the next_token continues from there).
const READ_BUDGET = 1000;

/**
 * Newest first. Status uses its own index (gsi2); the created range narrows the index's sort key; type and
 * target are filters applied while reading, within the read budget.
 */
export async function listJobs(
  deps: { store: Store },
  q: JobQuery,
  page: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof publicJob>>> {
  const between: [string, string] | undefined =
    q.created_after || q.created_before
      ? [new Date(q.created_after ?? 0).toISOString(), `${new Date(q.created_before ?? '9999-12-31T23:59:59Z').toISOString()}~`]
      : undefined;
  const matches = (j: Job) => (!q.type || j.type === q.type) && (!q.target || j.target_ids.includes(q.target));
  const items: Job[] = [];
  let cursor = page.cursor;
  let read = 0;
  // Never ask for more than the page still needs: a page then ends exactly on a record boundary and the
  // store's own cursor resumes right after it, filters or not.
  const readPage = (from: string | undefined) => {
    const opts = { limit: page.limit - items.length, cursor: from, descending: true, between };
    return q.status ? jobs.byStatus(deps.store, q.status, opts) : jobs.list(deps.store, opts);
  };
  for await (const result of pages(readPage, page.cursor)) {
    read += result.items.length;
    for (const j of result.items) if (matches(j)) items.push(j);
    cursor = result.cursor;
    if (items.length >= page.limit || read >= READ_BUDGET) break;
  }
  return { items: items.map(publicJob), cursor };
}
