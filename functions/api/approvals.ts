import { deps } from '../../shared/container';
import { ApprovalDecision, ApprovalQuery, publicApproval } from '../../shared/domain/approval';
import { PolicyCreate, PolicyUpdate } from '../../shared/domain/policy';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { apiHandler, type RouteFunction } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { policies } from '../../shared/records/approvals';
import {
  createPolicy,
  type Decision,
  decideApproval,
  deletePolicy,
  getApproval,
  listApprovals,
  updatePolicy,
} from '../../shared/usecases/jobs/approvals';
import { writesRefused } from './writes-refused';

type DecisionRoute = `POST /api/v1/approvals/{id}/${Decision}`;

const decide =
  (decision: Decision): RouteFunction<DecisionRoute> =>
  async (req) => {
    const { comment } = parseInput(ApprovalDecision, req.body ?? {}, 'body');
    const a = await decideApproval(await deps(), parseInput(IdPath, req.path, 'path').id, decision, req.principal.subject, comment);
    return json(200, publicApproval(a));
  };

export const handler = apiHandler('api-approvals', writesRefused, {
  'GET /api/v1/approvals': async (req) => {
    const page = pageOptions(parseInput(PageQuery, req.query, 'query'));
    const { status } = parseInput(ApprovalQuery, req.query, 'query');
    const result = await listApprovals(await deps(), status, page);
    return json(200, pageBody({ items: result.items.map(publicApproval), cursor: result.cursor }));
  },
  'GET /api/v1/approvals/{id}': async (req) =>
    json(200, publicApproval(await getApproval(await deps(), parseInput(IdPath, req.path, 'path').id))),
  'POST /api/v1/approvals/{id}/approve': decide('approve'),
  'POST /api/v1/approvals/{id}/reject': decide('reject'),
  'POST /api/v1/approvals/{id}/defer': decide('defer'),

  'POST /api/v1/policies': async (req) => {
    const p = await createPolicy(await deps(), parseInput(PolicyCreate, req.body, 'body'), req.principal.subject);
    return json(201, p, { location: `/api/v1/policies/${p.id}` });
  },
  'GET /api/v1/policies': async (req) =>
    json(200, pageBody(await policies.list((await deps()).store, pageOptions(parseInput(PageQuery, req.query, 'query'))))),
  'GET /api/v1/policies/{id}': async (req) => json(200, await policies.get((await deps()).store, parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/policies/{id}': async (req) =>
    json(200, await updatePolicy(await deps(), parseInput(IdPath, req.path, 'path').id, parseInput(PolicyUpdate, req.body, 'body'))),
  'DELETE /api/v1/policies/{id}': async (req) => {
    await deletePolicy(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
});
