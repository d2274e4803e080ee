import { deps } from '../../shared/container';
import { ExceptionCreate, ExceptionFilter } from '../../shared/domain/ipam/exceptions';
import {
  AllocationCreate,
  FindingFilter,
  ObservationFilter,
  PrefixCreate,
  PrefixUpdate,
  Resolution,
  SiteFilter,
} from '../../shared/domain/ipam/schemas';
import { AddressPath, IdPath, PageQuery } from '../../shared/domain/requests';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { csv, json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { exportAllocations, importAllocations } from '../../shared/usecases/ipam-csv';
import { createException, deleteException, getException, listExceptions } from '../../shared/usecases/ipam-exceptions';
import { acknowledgeFinding, getFinding, listFindings, resolveFinding } from '../../shared/usecases/ipam-findings';
import { listObservations } from '../../shared/usecases/ipam-observations';
import {
  createAllocation,
  createPrefix,
  deletePrefix,
  getAllocation,
  getPrefix,
  listAllocations,
  listPrefixes,
  releaseAllocation,
  updatePrefix,
} from '../../shared/usecases/ipam-plan';
import { requestIpamReconciliation } from '../../shared/usecases/ipam-reconciliation';
import { writesRefused } from './writes-refused';

const page = (query: unknown) => pageOptions(parseInput(PageQuery, query, 'query'));

export const handler = apiHandler('api-ipam', writesRefused, {
  'GET /api/v1/ipam/observations': async (req) =>
    json(200, pageBody(await listObservations(await deps(), parseInput(ObservationFilter, req.query, 'query'), page(req.query)))),

  'GET /api/v1/ipam/findings': async (req) =>
    json(200, pageBody(await listFindings(await deps(), parseInput(FindingFilter, req.query, 'query'), page(req.query)))),
  'GET /api/v1/ipam/findings/{id}': async (req) => json(200, await getFinding(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'POST /api/v1/ipam/findings/{id}/acknowledge': async (req) =>
    json(200, await acknowledgeFinding(await deps(), parseInput(IdPath, req.path, 'path').id, req.principal.subject)),
  'POST /api/v1/ipam/findings/{id}/resolve': async (req) => {
    const { id } = parseInput(IdPath, req.path, 'path');
    const { explanation } = parseInput(Resolution, req.body ?? {}, 'body');
    return json(200, await resolveFinding(await deps(), id, req.principal.subject, explanation));
  },

  'POST /api/v1/ipam/exceptions': async (req) => {
    const created = await createException(await deps(), parseInput(ExceptionCreate, req.body, 'body'), req.principal.subject);
    return json(201, created, { location: `/api/v1/ipam/exceptions/${created.id}` });
  },
  'GET /api/v1/ipam/exceptions': async (req) =>
    json(200, pageBody(await listExceptions(await deps(), parseInput(ExceptionFilter, req.query, 'query'), page(req.query)))),
  'GET /api/v1/ipam/exceptions/{id}': async (req) => json(200, await getException(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'DELETE /api/v1/ipam/exceptions/{id}': async (req) => {
    await deleteException(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },

  'POST /api/v1/ipam/prefixes': async (req) => {
    const created = await createPrefix(await deps(), parseInput(PrefixCreate, req.body, 'body'));
    return json(201, created, { location: `/api/v1/ipam/prefixes/${created.id}` });
  },
  'GET /api/v1/ipam/prefixes': async (req) =>
    json(200, pageBody(await listPrefixes(await deps(), parseInput(SiteFilter, req.query, 'query'), page(req.query)))),
  'GET /api/v1/ipam/prefixes/{id}': async (req) => json(200, await getPrefix(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/ipam/prefixes/{id}': async (req) =>
    json(200, await updatePrefix(await deps(), parseInput(IdPath, req.path, 'path').id, parseInput(PrefixUpdate, req.body, 'body'))),
  'DELETE /api/v1/ipam/prefixes/{id}': async (req) => {
    await deletePrefix(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },

  'POST /api/v1/ipam/allocations': async (req) => {
    const created = await createAllocation(await deps(), parseInput(AllocationCreate, req.body, 'body'), req.principal.subject);
    return json(201, created, { location: `/api/v1/ipam/allocations/${created.address}` });
  },
  'GET /api/v1/ipam/allocations': async (req) =>
    json(200, pageBody(await listAllocations(await deps(), parseInput(SiteFilter, req.query, 'query'), page(req.query)))),
  'GET /api/v1/ipam/allocations/export': async (req) => {
    const { site_id } = parseInput(SiteFilter, req.query, 'query');
    return csv(await exportAllocations(await deps(), site_id), `allocations${site_id ? `-${site_id}` : ''}.csv`);
  },
  'POST /api/v1/ipam/allocations/import': async (req) => json(200, await importAllocations(await deps(), req.body, req.principal.subject)),
  'GET /api/v1/ipam/allocations/{address}': async (req) =>
    json(200, await getAllocation(await deps(), parseInput(AddressPath, req.path, 'path').address)),
  'DELETE /api/v1/ipam/allocations/{address}': async (req) => {
    await releaseAllocation(await deps(), parseInput(AddressPath, req.path, 'path').address);
    return noContent();
  },

  'POST /api/v1/ipam/reconcile': async () => {
    await requestIpamReconciliation(await deps(), 'requested by an operator');
    return json(202, { queued: true });
  },
});
