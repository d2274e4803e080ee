/**
 * Measures the two ways to speak vSphere SOAP that issue 4 asks to compare, against a real vcsim:
 *   soap: the `soap` package with the vendored minimal WSDL (vim25-minimal.wsdl);
 *   hand-built: envelopes written by hand, answers read by shared/adapters/vsphere (own XML scanner + decoder);
 * plus fast-xml-parser as a parser for the hand-built path. Cold start runs esbuild bundles (as Lambda
 * would) in fresh processes; the large response is one full retrieval of every VM with 8 properties.
 *
 *   bash scripts/vcsim/build.sh && npx tsx test/vsphere/bench/client-choice.ts [vms=5000] [runs=5]
 *
 * Prints a Markdown table; the figures and the choice are in docs/vsphere-client.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';
import { Agent, request } from 'undici';
import { containerViewSpec, VSphereClient } from '../../../shared/adapters/vsphere';
import { requestEnvelope } from '../../../shared/adapters/vsphere/envelope';
import { retrieveResult } from '../../../shared/adapters/vsphere/results';
import { encodeFilterSpec } from '../../../shared/adapters/vsphere/specs';
import { child, parseXml } from '../../../shared/adapters/vsphere/xml-parse';
import { startVcsim } from '../../support/vcsim';

const here = fileURLToPath(new URL('.', import.meta.url));
const WSDL = join(here, 'vim25-minimal.wsdl');
const vmTarget = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 5);
const VM_PROPS = [
  'name',
  'config.uuid',
  'config.instanceUuid',
  'runtime.powerState',
  'runtime.host',
  'guest.net',
  'guest.toolsRunningStatus',
  'datastore',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}
async function timeRuns(n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push((await time(fn))[0]);
  return median(xs);
}

// 10 clusters × 10 hosts; VMs per host from the target.
const sim = await startVcsim({
  clusters: 10,
  hostsPerCluster: 10,
  vmsPerHost: Math.max(1, Math.round(vmTarget / 100)),
  startTimeoutMs: 600_000,
});
const rows: string[][] = [];
try {
  process.stderr.write(`vcsim: ${JSON.stringify(sim.counts)}\n`);

  // Cold start: esbuild bundles in fresh processes.
  const out = mkdtempSync(join(tmpdir(), 'eio-bench-'));
  const caFile = join(out, 'ca.pem');
  writeFileSync(caFile, sim.certPem);
  for (const name of ['cold-soap', 'cold-handbuilt']) {
    execFileSync('npx', [
      'esbuild',
      join(here, `${name}.ts`),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${join(out, `${name}.mjs`)}`,
      '--banner:js=import{createRequire}from"module";const require=createRequire(import.meta.url);',
      '--log-level=error',
    ]);
  }
  const cold = async (name: string, extra: string[]) => {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      const stdout = execFileSync(process.execPath, [join(out, `${name}.mjs`), sim.url, sim.certPem, ...extra], {
        env: { ...process.env, LOG_LEVEL: 'SILENT' },
      });
      samples.push(JSON.parse(stdout.toString()) as Record<string, number>);
    }
    const m = (k: string) => median(samples.map((s) => s[k]!));
    return { importMs: m('importMs'), setupMs: m('setupMs'), firstCallMs: m('firstCallMs'), totalMs: m('totalMs') };
  };
  process.stderr.write('cold start runs\n');
  const cs = await cold('cold-soap', [WSDL]);
  const ch = await cold('cold-handbuilt', []);
  rmSync(out, { recursive: true, force: true });
  rows.push(['cold start: import', fmt(cs.importMs), fmt(ch.importMs)]);
  rows.push(['cold start: WSDL parse / client setup', fmt(cs.setupMs), fmt(ch.setupMs)]);
  rows.push(['cold start: first call (RetrieveServiceContent)', fmt(cs.firstCallMs), fmt(ch.firstCallMs)]);
  rows.push(['cold start: total', fmt(cs.totalMs), fmt(ch.totalMs)]);

  process.stderr.write('large response runs\n');
  // Large response, hand-built client.
  const client = new VSphereClient({
    url: sim.url,
    credentials: { username: sim.user, password: sim.password },
    tls: { kind: 'ca', ca: sim.certPem },
    requestTimeoutMs: 600_000,
  });
  await client.login();
  const view = await client.createContainerView(['VirtualMachine']);
  const spec = containerViewSpec(view, { VirtualMachine: VM_PROPS });
  let count = 0;
  const full = async (maxObjects?: number) => {
    count = 0;
    for await (const o of client.retrievePropertiesEx([spec], { maxObjects })) count += o.propSet.length ? 1 : 0;
    if (count !== sim.counts.vms) throw new Error(`retrieved ${count} VMs, vcsim holds ${sim.counts.vms}`);
  };

  // The same request over undici without parsing: what the server and the wire cost.
  const content = await client.retrieveServiceContent();
  const envelope = requestEnvelope('RetrievePropertiesEx', content.propertyCollector, { specSet: [encodeFilterSpec(spec)], options: {} });
  const cookie = await sessionCookie(sim);
  const view2 = await createViewRaw(sim, cookie);
  const rawEnvelope = envelope.replace(view.value, view2);
  const agent = new Agent({ connect: { ca: sim.certPem } });
  let body = '';
  const rawFetch = async () => {
    const res = await request(sim.url, {
      method: 'POST',
      body: rawEnvelope,
      headers: { 'content-type': 'text/xml', soapaction: 'urn:vim25/6.5', cookie },
      dispatcher: agent,
    });
    body = await res.body.text();
    if (!body.includes('RetrievePropertiesExResponse')) throw new Error(`raw request failed: ${body.slice(0, 300)}`);
  };

  // soap: the same session as the raw request, its own view.
  const soapClient = await soap.createClientAsync(WSDL, { endpoint: sim.url });
  const httpsAgent = new https.Agent({ ca: sim.certPem, keepAlive: false }); // a reused socket left soap's second call hanging
  soapClient.addHttpHeader('Cookie', cookie);
  const soapFetch = async () => {
    const [r] = await soapClient.RetrievePropertiesExAsync(
      {
        _this: { attributes: { type: 'PropertyCollector' }, $value: 'propertyCollector' },
        specSet: [
          {
            propSet: [{ type: 'VirtualMachine', all: false, pathSet: VM_PROPS }],
            objectSet: [
              {
                obj: { attributes: { type: 'ContainerView' }, $value: view2 },
                skip: true,
                selectSet: [{ attributes: { 'xsi:type': 'TraversalSpec' }, name: 'v', type: 'ContainerView', path: 'view', skip: false }],
              },
            ],
          },
        ],
        options: {},
      },
      { httpsAgent, timeout: 600_000 },
    );
    if (r.returnval.objects.length !== sim.counts.vms) throw new Error('soap: wrong count');
  };

  // Interleaved, so drift in vcsim (its GC, the machine) spreads over all of them alike.
  const candidates = { raw: rawFetch, handOne: () => full(), handPaged: () => full(1000), soapFull: soapFetch };
  const samples: Record<string, number[]> = {};
  for (let i = 0; i <= runs; i++) {
    process.stderr.write(`large response round ${i}/${runs}\n`);
    for (const [name, fn] of Object.entries(candidates)) {
      const [ms] = await time(fn);
      if (i > 0) (samples[name] ??= []).push(ms); // round 0 warms up
    }
  }
  const [raw, handOne, handPaged, soapFull] = ['raw', 'handOne', 'handPaged', 'soapFull'].map((k) => median(samples[k]!)) as [
    number,
    number,
    number,
    number,
  ];

  // Parse-only on the captured answer.
  const scan = await timeRuns(runs, () =>
    retrieveResult(child(child(child(child(parseXml(body), 'Envelope')!, 'Body')!, 'RetrievePropertiesExResponse')!, 'returnval')),
  );
  const scanOnly = await timeRuns(runs, () => parseXml(body));
  const soapParse = await timeRuns(runs, () =>
    (soapClient as unknown as { wsdl: { xmlToObject(x: string): unknown } }).wsdl.xmlToObject(body),
  );
  // fast-xml-parser was the other candidate parser; measured only while it is installed.
  const fxpName = 'fast-xml-parser';
  const fxpModule = (await import(fxpName).catch(() => undefined)) as
    | { XMLParser: new (o: object) => { parse(x: string): unknown } }
    | undefined;
  const fxp = fxpModule && new fxpModule.XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, jPath: false });
  const fxpOnly = fxp ? await timeRuns(runs, () => fxp.parse(body)) : undefined;

  const mb = (body.length / 1e6).toFixed(1);
  rows.push([`${sim.counts.vms} VMs × 8 properties, one page (${mb} MB): retrieve + parse`, fmt(soapFull), fmt(handOne)]);
  rows.push([`same, pages of 1,000 (ContinueRetrievePropertiesEx)`, '—', fmt(handPaged)]);
  rows.push(['same request, HTTP only (server + transfer, no parsing)', fmt(raw), fmt(raw)]);
  rows.push([
    `parse only (${mb} MB)`,
    `${fmt(soapParse)} (soap's sax parser, values untyped)`,
    `${fmt(scan)} (scanner + typed decode; scanner alone ${fmt(scanOnly)})`,
  ]);
  if (fxpOnly !== undefined) rows.push(['parse only, fast-xml-parser (tree only, no decode)', '', fmt(fxpOnly)]);
  await agent.close();
  httpsAgent.destroy();
  await client.close();
} finally {
  await sim.stop();
}
process.stdout.write(
  `| measure (median of ${runs}) | soap + minimal WSDL | hand-built |\n| --- | --- | --- |\n` +
    `${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`,
);

async function sessionCookie(s: typeof sim): Promise<string> {
  const agent = new Agent({ connect: { ca: s.certPem } });
  const res = await request(s.url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: requestEnvelope('Login', { type: 'SessionManager', value: 'SessionManager' }, { userName: s.user, password: s.password }),
    dispatcher: agent,
  });
  await res.body.text();
  await agent.close();
  return String(res.headers['set-cookie']).split(';')[0]!;
}

async function createViewRaw(s: typeof sim, cookie: string): Promise<string> {
  const agent = new Agent({ connect: { ca: s.certPem } });
  const res = await request(s.url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', cookie },
    body: requestEnvelope(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      { container: { type: 'Folder', value: 'group-d1' }, type: 'VirtualMachine', recursive: true },
    ),
    dispatcher: agent,
  });
  const text = await res.body.text();
  await agent.close();
  return /<returnval type="ContainerView">([^<]+)</.exec(text)![1]!;
}
