import { deps } from '../../shared/container';
import { DellEndpointCreate, DellEndpointListQuery, DellEndpointUpdate } from '../../shared/domain/dell-endpoint';
import { DiscoverRequest } from '../../shared/domain/discovery-run';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { getDiscoveryRun, listDiscoveryRuns, startDiscovery } from '../../shared/usecases/dell-discovery';
import { deleteDellEndpoint, getDellEndpoint, listDellEndpoints, refreshDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { changeDellEndpoint, registerDellEndpoint } from '../../shared/usecases/trust-changes';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-dell', writesRefused, {
  'POST /api/v1/dell/endpoints': async (req) => {
    const ep = await registerDellEndpoint(await deps(), parseInput(DellEndpointCreate, req.body, 'body'), req.principal);
    return json(201, ep, { location: `/api/v1/dell/endpoints/${ep.id}` });
  },
  'GET /api/v1/dell/endpoints': async (req) => {
    const q = parseInput(DellEndpointListQuery, req.query, 'query');
    return json(200, pageBody(await listDellEndpoints(await deps(), q, pageOptions(q))));
  },
  'GET /api/v1/dell/endpoints/{id}': async (req) => json(200, await getDellEndpoint(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/dell/endpoints/{id}': async (req) =>
    json(
      200,
      await changeDellEndpoint(
        await deps(),
        parseInput(IdPath, req.path, 'path').id,
        parseInput(DellEndpointUpdate, req.body, 'body'),
        req.principal,
      ),
    ),
  'DELETE /api/v1/dell/endpoints/{id}': async (req) => {
    await deleteDellEndpoint(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
  'POST /api/v1/dell/endpoints/{id}/refresh': async (req) =>
    json(200, await refreshDellEndpoint(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'POST /api/v1/dell/discover': async (req) => {
    const run = await startDiscovery(await deps(), parseInput(DiscoverRequest, req.body, 'body'), req.principal.subject);
    return json(202, run, { location: `/api/v1/dell/discovery-runs/${run.id}` });
  },
  'GET /api/v1/dell/discovery-runs': async (req) => {
    const q = parseInput(PageQuery, req.query, 'query');
    return json(200, pageBody(await listDiscoveryRuns(await deps(), pageOptions(q))));
  },
  'GET /api/v1/dell/discovery-runs/{id}': async (req) =>
    json(200, await getDiscoveryRun(await deps(), parseInput(IdPath, req.path, 'path').id)),
});
