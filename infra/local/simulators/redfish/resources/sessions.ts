import { fixture, type Json, render } from '../../fixtures/load';
import type { SimulatedHost } from '../../state/host';
import type { Session } from '../../state/sessions';
import { members, ok, type RedfishResult, redfishError, successInfo } from '../result';
import type { RouteContext, RouteDef } from '../router';

const SERVICE = '/redfish/v1/SessionService';
const SESSIONS = `${SERVICE}/Sessions`;

interface SessionsFixture {
  sessionService: Json;
  sessionCollection: Json;
  session: Json;
}

const templates = () => fixture<SessionsFixture>('redfish/accounts.json');

function sessionResource(session: Session): Json {
  return render(templates().session, { Id: session.id, UserName: session.userName, ClientOriginIPAddress: session.origin });
}

/** Login: 201 with X-Auth-Token and Location; 401 on bad credentials; 503 RAC0218 past the session limit. */
function login({ host, json, req }: RouteContext): RedfishResult {
  const body = json();
  if (body === null) return redfishError(400, 'Base.MalformedJSON');
  const userName = body?.UserName;
  const password = body?.Password;
  if (typeof userName !== 'string') return redfishError(400, 'Base.PropertyMissing', ['UserName']);
  if (typeof password !== 'string') return redfishError(400, 'Base.PropertyMissing', ['Password']);
  const account = host.accounts.authenticate(userName, password);
  if (!account) return redfishError(401, 'SYS415');
  const session = host.sessions.create(account, req.remoteAddress.replace(/^::ffff:/, ''));
  if (!session) {
    host.emit({ type: 'session', action: 'refused', userName });
    return redfishError(503, 'RAC0218');
  }
  host.emit({ type: 'session', action: 'login', userName });
  return {
    status: 201,
    headers: { 'x-auth-token': session.token, location: `${SESSIONS}/${session.id}` },
    body: sessionResource(session),
  };
}

function logout(host: SimulatedHost, id: string | undefined, path: string): RedfishResult {
  const session = id ? host.sessions.get(id) : undefined;
  if (!session || !host.sessions.delete(session.id)) return redfishError(404, 'SYS403', [path]);
  host.emit({ type: 'session', action: 'logout', userName: session.userName });
  return successInfo(200, 'SYS413');
}

export function sessionRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      pattern: SERVICE,
      handler: ({ host }) => ok(render(templates().sessionService, { SessionTimeout: Math.round(host.sessions.timeoutMs / 1000) })),
    },
    {
      method: 'GET',
      pattern: SESSIONS,
      handler: ({ host }) => {
        const paths = host.sessions.list().map((s) => `${SESSIONS}/${s.id}`);
        return ok(render(templates().sessionCollection, { Members: members(paths), MembersCount: paths.length }));
      },
    },
    { method: 'POST', pattern: SESSIONS, public: true, handler: login },
    {
      method: 'GET',
      pattern: `${SESSIONS}/:id`,
      handler: ({ host, params, req }) => {
        const session = host.sessions.get(params.id ?? '');
        return session ? ok(sessionResource(session)) : redfishError(404, 'SYS403', [req.path]);
      },
    },
    { method: 'DELETE', pattern: `${SESSIONS}/:id`, handler: ({ host, params, req }) => logout(host, params.id, req.path) },
  ];
}
