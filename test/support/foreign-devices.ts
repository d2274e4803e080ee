/**
 * Test servers for devices that are not Dell iDRACs, as they sit on a swept management network: a Redfish
 * service of another vendor (service roots in test/fixtures/redfish-roots/), a Redfish service with basic auth
 * only, a session service answering 204, an HTTPS server that is not Redfish, a host that accepts TCP and
 * speaks no TLS. Each records every request it receives, so tests can assert no credential reached it.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { CertificateStore } from '../../infra/local/simulators';

const ROOTS = join(__dirname, '..', 'fixtures', 'redfish-roots');

/** A service root from test/fixtures/redfish-roots/ (`hpe-ilo5`, `lenovo-xcc`, `supermicro`, `dmtf-mockup`, `basic-auth-emulator`). */
export const serviceRootFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOTS, `${name}.json`), 'utf8')) as Record<string, unknown>;

export type RecordedRequest = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string };

export type ForeignDeviceOptions = {
  address: string;
  /** Port of the HTTPS (or TCP) listener; 0 for a free one. */
  port: number;
  /** Extra ports with the same behaviour (e.g. the WS-Man port of a swept site). */
  extraPorts?: number[];
  certDir?: string;
} & (
  | {
      kind: 'redfish';
      root: Record<string, unknown>;
      /**
       * How a login POST to the root's Links.Sessions is answered: `created` (201 + X-Auth-Token), `no-content`
       * (204 + X-Auth-Token), `unauthorized` (401 whatever the credential: a service without sessions).
       */
      sessions?: 'created' | 'no-content' | 'unauthorized';
      /** The credential basic auth and logins accept; resources other than the root need it. */
      accepts?: { username: string; password: string };
    }
  | { kind: 'plain-https' }
  | { kind: 'tcp-only' }
);

const TOKEN = 'foreign-session-token';

/** A running test server; `requests` is everything it received. */
export class ForeignDevice {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted (the only thing a `tcp-only` host records). */
  connections = 0;
  ports: number[] = [];
  private servers: Array<HttpsServer | TcpServer> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: ForeignDeviceOptions) {}

  static async start(options: ForeignDeviceOptions): Promise<ForeignDevice> {
    const device = new ForeignDevice(options);
    for (const port of [options.port, ...(options.extraPorts ?? [])]) device.ports.push(await device.listen(port));
    return device;
  }

  /** Requests that carried anything like a credential: basic auth, a session token, or a login body. */
  credentialsReceived(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.headers.authorization !== undefined || r.headers['x-auth-token'] !== undefined || /password/i.test(r.body),
    );
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private async listen(port: number): Promise<number> {
    const { address } = this.options;
    let server: HttpsServer | TcpServer;
    if (this.options.kind === 'tcp-only') {
      // Accepts, reads whatever comes, never answers: a host with some TCP service but no TLS.
      server = createTcpServer((socket) => {
        this.connections++;
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
      });
    } else {
      const cert = await new CertificateStore(this.options.certDir).get(`foreign-${address}`, {
        subject: { commonName: `device-${address}` },
        ipAddresses: [address],
      });
      server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const request = {
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          };
          this.requests.push(request);
          const answer = this.answer(request);
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        });
      });
    }
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    const bound = server.address();
    return typeof bound === 'object' && bound ? bound.port : port;
  }

  private answer(request: RecordedRequest): { status: number; headers: Record<string, string>; body: string } {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? '' : JSON.stringify(body),
    });
    const o = this.options;
    if (o.kind !== 'redfish')
      return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Switch management</body></html>' };
    const path = request.path.replace(/\/$/, '');
    if (request.method === 'GET' && (path === '/redfish/v1' || path === '/redfish')) return json(200, o.root);
    const sessions = (o.root.Links as { Sessions?: { '@odata.id'?: string } } | undefined)?.Sessions?.['@odata.id']?.replace(/\/$/, '');
    if (request.method === 'POST' && (path === sessions || path === '/redfish/v1/SessionService/Sessions')) {
      const login = JSON.parse(request.body || '{}') as { UserName?: string; Password?: string };
      const right = o.accepts && login.UserName === o.accepts.username && login.Password === o.accepts.password;
      if (o.sessions === 'unauthorized' || !sessions || !right) return json(401, { error: { code: 'Base.1.0.GeneralError' } });
      const headers = { 'x-auth-token': TOKEN, location: `${sessions}/1` };
      return o.sessions === 'no-content' ? { status: 204, headers, body: '' } : json(201, { Id: '1' }, headers);
    }
    if (request.method === 'DELETE' && sessions && path === `${sessions}/1`) return { status: 204, headers: {}, body: '' };
    if (!this.authorized(request)) return json(401, { error: { code: 'Base.1.0.NoValidSession' } });
    if (request.method === 'GET' && path === '/redfish/v1/Systems')
      return json(200, { Members: [{ '@odata.id': '/redfish/v1/Systems/1' }], 'Members@odata.count': 1 });
    return json(404, { error: { code: 'Base.1.0.ResourceMissingAtURI' } });
  }

  private authorized(request: RecordedRequest): boolean {
    const o = this.options;
    if (o.kind !== 'redfish' || !o.accepts) return false;
    if (request.headers['x-auth-token'] === TOKEN) return true;
    const basic = `Basic ${Buffer.from(`${o.accepts.username}:${o.accepts.password}`).toString('base64')}`;
    return request.headers.authorization === basic;
  }
}
