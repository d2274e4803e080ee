/**
 * The demo vCenter as EIO sees it when the demo iDRACs run: an HTTPS front on vcsim that makes each vCenter
 * host its iDRAC's server. vcsim 0.24 (Debian's govmomi, which the project builds) reports one fixed service
 * tag for every host and cannot disconnect one (DisconnectHost_Task/ReconnectHost_Task came with govmomi
 * 0.29), and vcsim is not rebuilt for the demo. So the front rewrites vcsim's SOAP answers, host by host:
 * the ServiceTag in `hardware.systemInfo` becomes its iDRAC's, and while its server is not On (a reboot, a
 * power off) the host's connection state reads `notResponding`, as vCenter shows a rebooting host. Requests
 * pass through unchanged. A host is known by the name vcsim gave it (demo-vcenter.ts demoHostNames), learned
 * per object id from the answers that carry it (every sync reads names first).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { CertMaterial } from './simulators/tls/cert-store';

/** What the front needs to know about one host's server, by vCenter host name. */
export type ServerOf = (hostName: string) => { serviceTag: string; on: boolean } | undefined;

const OBJECT = /<(objects|objectSet)>[\s\S]*?<\/\1>/g;
const HOST_ID = /<obj type="HostSystem">([^<]+)<\/obj>/;
const NAME = /<name>name<\/name>\s*(?:<op>\w+<\/op>\s*)?<val[^>]*>([^<]*)<\/val>/;
// The ServiceTag entry's identifierValue, never reaching into the next entry.
const IN_ENTRY = '(?:(?!</otherIdentifyingInfo>)[\\s\\S])*?';
const SERVICE_TAG = new RegExp(
  `(<otherIdentifyingInfo>${IN_ENTRY}<identifierValue>)[^<]*(</identifierValue>${IN_ENTRY}<key>ServiceTag</key>)`,
  'g',
);
const CONNECTION = [
  /(<name>runtime\.connectionState<\/name>\s*(?:<op>\w+<\/op>\s*)?<val[^>]*>)connected(<\/val>)/g,
  /(<connectionState>)connected(<\/connectionState>)/g,
];

/** Rewrites one SOAP answer; `names` keeps what it learned (object id → host name) for later answers. */
export function rewriteAnswer(xml: string, names: Map<string, string>, serverOf: ServerOf): string {
  return xml.replace(OBJECT, (object) => {
    const id = HOST_ID.exec(object)?.[1];
    if (!id) return object;
    const named = NAME.exec(object)?.[1];
    if (named) names.set(id, named);
    const server = serverOf(names.get(id) ?? '');
    if (!server) return object;
    let out = object.replace(SERVICE_TAG, `$1${server.serviceTag}$2`);
    if (!server.on) for (const pattern of CONNECTION) out = out.replace(pattern, '$1notResponding$2');
    return out;
  });
}

export interface DemoVcenterFront {
  url: string;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` with `certificate` and forwards every request to vcsim at `upstream`. */
export async function startDemoVcenterFront(options: {
  port: number;
  certificate: CertMaterial;
  upstream: string;
  upstreamCa: string;
  serverOf: ServerOf;
}): Promise<DemoVcenterFront> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ connect: { ca: options.upstreamCa } });
  const names = new Map<string, string>();
  const server: Server = createServer({ cert: options.certificate.certPem, key: options.certificate.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { host: _host, 'accept-encoding': _encoding, connection: _connection, ...headers } = req.headers;
      request(new URL(req.url ?? '/', upstream.origin), {
        method: (req.method ?? 'GET') as 'GET',
        headers: headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        dispatcher: agent,
      })
        .then(async (answer) => {
          const text = await answer.body.text();
          const xml = String(answer.headers['content-type'] ?? '').includes('xml');
          const body = Buffer.from(xml ? rewriteAnswer(text, names, options.serverOf) : text);
          const { 'content-length': _length, 'transfer-encoding': _te, connection: _c, ...out } = answer.headers;
          res.writeHead(answer.statusCode, { ...out, 'content-length': body.length } as Record<string, string | number>);
          res.end(body);
        })
        .catch((error: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`demo vCenter front: vcsim did not answer (${error.message})`);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/sdk`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}
