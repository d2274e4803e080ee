import { deps } from '../../shared/container';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { SiteCreate, SiteUpdate } from '../../shared/domain/site';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { deleteSite, getSite, listSites } from '../../shared/usecases/sites';
import { changeSite, registerSite } from '../../shared/usecases/trust-changes';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-sites', writesRefused, {
  'POST /api/v1/sites': async (req) => {
    const site = await registerSite(await deps(), parseInput(SiteCreate, req.body, 'body'), req.principal);
    return json(201, site, { location: `/api/v1/sites/${site.id}` });
  },
  'GET /api/v1/sites': async (req) =>
    json(200, pageBody(await listSites(await deps(), pageOptions(parseInput(PageQuery, req.query, 'query'))))),
  'GET /api/v1/sites/{id}': async (req) => json(200, await getSite(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/sites/{id}': async (req) =>
    json(
      200,
      await changeSite(await deps(), parseInput(IdPath, req.path, 'path').id, parseInput(SiteUpdate, req.body, 'body'), req.principal),
    ),
  'DELETE /api/v1/sites/{id}': async (req) => {
    await deleteSite(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
});
