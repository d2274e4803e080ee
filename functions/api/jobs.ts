import { deps } from '../../shared/container';
import { CancelBody, IdempotencyHeaders, JobQuery, JobSubmission, publicJob, ResumeBody } from '../../shared/domain/job';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { cancelJob, resumeJob, retryJob } from '../../shared/usecases/jobs/control';
import { planJob } from '../../shared/usecases/jobs/preflight';
import { getBlockingVms, getJobWithSteps, listJobs } from '../../shared/usecases/jobs/query';
import { submitJob } from '../../shared/usecases/jobs/submit';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-jobs', writesRefused, {
  'POST /api/v1/jobs': async (req) => {
    const idempotency = parseInput(IdempotencyHeaders, req.headers, 'headers')['idempotency-key'];
    const submission = parseInput(JobSubmission, req.body, 'body');
    const { job, replayed } = await submitJob(await deps(), submission, req.principal.subject, idempotency);
    return json(202, publicJob(job), { location: `/api/v1/jobs/${job.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  },
  'GET /api/v1/jobs': async (req) => {
    const page = pageOptions(parseInput(PageQuery, req.query, 'query'));
    const filters = parseInput(JobQuery, req.query, 'query');
    return json(200, pageBody(await listJobs(await deps(), filters, page)));
  },
  'POST /api/v1/jobs/plan': async (req) => json(200, await planJob(await deps(), parseInput(JobSubmission, req.body, 'body'))),
  'GET /api/v1/jobs/{id}': async (req) => json(200, await getJobWithSteps(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'GET /api/v1/jobs/{id}/blocking-vms': async (req) =>
    json(200, await getBlockingVms(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'POST /api/v1/jobs/{id}/cancel': async (req) => {
    const { reason } = parseInput(CancelBody, req.body ?? {}, 'body');
    const job = await cancelJob(await deps(), parseInput(IdPath, req.path, 'path').id, req.principal.subject, reason);
    return json(200, publicJob(job));
  },
  'POST /api/v1/jobs/{id}/resume': async (req) => {
    const body = parseInput(ResumeBody, req.body, 'body');
    return json(200, publicJob(await resumeJob(await deps(), parseInput(IdPath, req.path, 'path').id, req.principal.subject, body)));
  },
  'POST /api/v1/jobs/{id}/retry': async (req) => {
    const job = await retryJob(await deps(), parseInput(IdPath, req.path, 'path').id, req.principal.subject);
    return json(202, publicJob(job), { location: `/api/v1/jobs/${job.id}` });
  },
});
