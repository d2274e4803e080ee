/**
 * The `eio` CLI cannot drift from the API again (issue 16, item 5): every route of the route table is named by a
 * command (its description starts with the route it calls, `METHOD /path`), or is on the list below of routes
 * left to the API on purpose, with why. A new route fails here until it gets a command or a reason.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { eioProgram } from '../../cli/main';
import { ROUTES, type RouteKey, routeKey } from '../../shared/catalog/routes';

const CONFIGURATION = 'configuration an admin sets up once (API or infrastructure code), not a runbook procedure';
const NOT_IN_CLI: Partial<Record<RouteKey, string>> = {
  'POST /api/v1/sites': CONFIGURATION,
  'GET /api/v1/sites': CONFIGURATION,
  'GET /api/v1/sites/{id}': CONFIGURATION,
  'PATCH /api/v1/sites/{id}': CONFIGURATION,
  'DELETE /api/v1/sites/{id}': CONFIGURATION,
  'POST /api/v1/vcenter/instances': CONFIGURATION,
  'PATCH /api/v1/vcenter/instances/{id}': CONFIGURATION,
  'DELETE /api/v1/vcenter/instances/{id}': CONFIGURATION,
  'GET /api/v1/vcenter/instances/{id}/hosts': 'synced inventory browsing, for the UI and scripts (paged, filtered)',
  'GET /api/v1/vcenter/instances/{id}/vms': 'synced inventory browsing, for the UI and scripts (paged, filtered)',
  'GET /api/v1/vcenter/instances/{id}/clusters': 'synced inventory browsing, for the UI and scripts (paged, filtered)',
  'POST /api/v1/service-identities': CONFIGURATION,
  'GET /api/v1/service-identities': CONFIGURATION,
  'GET /api/v1/service-identities/{id}': CONFIGURATION,
  'PATCH /api/v1/service-identities/{id}': CONFIGURATION,
  'DELETE /api/v1/service-identities/{id}': CONFIGURATION,
  'POST /api/v1/jobs/plan': 'a dry run for the UI before submitting; `eio jobs create` submits',
  'GET /api/v1/approvals/{id}': '`eio approvals list` shows each request; approve/reject/defer answer with it',
  'POST /api/v1/policies': CONFIGURATION,
  'GET /api/v1/policies': CONFIGURATION,
  'GET /api/v1/policies/{id}': CONFIGURATION,
  'PATCH /api/v1/policies/{id}': CONFIGURATION,
  'DELETE /api/v1/policies/{id}': CONFIGURATION,
  'POST /api/v1/dell/endpoints': 'endpoints come from discovery (`eio dell discover`); registering one by hand is configuration',
  'PATCH /api/v1/dell/endpoints/{id}': CONFIGURATION,
  'DELETE /api/v1/dell/endpoints/{id}': CONFIGURATION,
  'GET /api/v1/ipam/exceptions/{id}': '`eio ipam exceptions` lists them whole',
  'DELETE /api/v1/ipam/exceptions/{id}': 'exceptions expire (`--expires`); removing one early is IPAM administration',
  'POST /api/v1/ipam/prefixes': CONFIGURATION,
  'GET /api/v1/ipam/prefixes': CONFIGURATION,
  'GET /api/v1/ipam/prefixes/{id}': CONFIGURATION,
  'PATCH /api/v1/ipam/prefixes/{id}': CONFIGURATION,
  'DELETE /api/v1/ipam/prefixes/{id}': CONFIGURATION,
  'POST /api/v1/ipam/allocations': 'address allocation is for provisioning tools, not the operations runbook',
  'GET /api/v1/ipam/allocations': 'address allocation is for provisioning tools, not the operations runbook',
  'GET /api/v1/ipam/allocations/export': 'a CSV for spreadsheets: curl it',
  'POST /api/v1/ipam/allocations/import': 'a CSV from spreadsheets: curl it',
  'GET /api/v1/ipam/allocations/{address}': 'address allocation is for provisioning tools, not the operations runbook',
  'DELETE /api/v1/ipam/allocations/{address}': 'address allocation is for provisioning tools, not the operations runbook',
  'POST /api/v1/ipam/reconcile': 'runs hourly and after every prefix change; no runbook procedure starts it',
  'POST /api/v1/firmware/baselines': CONFIGURATION,
  'POST /api/v1/firmware/baselines/import': CONFIGURATION,
  'PATCH /api/v1/firmware/baselines/{id}': CONFIGURATION,
  'DELETE /api/v1/firmware/baselines/{id}': CONFIGURATION,
};

const ROUTE_IN_TEXT = /\b(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[^\s:;,)]+)/g;

/** Every leaf command (`eio workers scale`) with the routes its description names. */
function commandRoutes(cmd: Command, prefix = ''): { command: string; routes: string[] }[] {
  const name = `${prefix} ${cmd.name()}`.trim();
  if (cmd.commands.length) return cmd.commands.flatMap((c) => commandRoutes(c, name));
  return [{ command: name, routes: [...cmd.description().matchAll(ROUTE_IN_TEXT)].map((m) => `${m[1]} ${m[2]}`) }];
}

describe('eio CLI against the route table', () => {
  const commands = commandRoutes(eioProgram());
  const named = new Set(commands.flatMap((c) => c.routes));
  const table = new Set(ROUTES.map(routeKey));

  it('every route is behind a command, or left to the API with a reason', () => {
    const missing = ROUTES.map(routeKey).filter((k) => !named.has(k) && !NOT_IN_CLI[k as RouteKey]);
    expect(missing, 'routes without a command: add one (cli/commands) or a reason to NOT_IN_CLI').toEqual([]);
  });

  it('a route with a command is not also on the list, and every route a command names exists', () => {
    expect(Object.keys(NOT_IN_CLI).filter((k) => named.has(k))).toEqual([]);
    expect(Object.keys(NOT_IN_CLI).filter((k) => !table.has(k))).toEqual([]);
    expect(commands.flatMap((c) => c.routes.filter((r) => !table.has(r)).map((r) => `${c.command}: ${r}`))).toEqual([]);
  });

  it('every command that talks to the API says which route', () => {
    const local = new Set(['eio profile set', 'eio profile use', 'eio profile list']);
    expect(commands.filter((c) => !c.routes.length && !local.has(c.command)).map((c) => c.command)).toEqual([]);
  });
});
