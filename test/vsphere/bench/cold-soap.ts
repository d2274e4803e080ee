// Cold start of the `soap` candidate: import, parse the vendored WSDL, one RetrieveServiceContent.
// Bundled with esbuild and run in a fresh process by client-choice.ts. Prints JSON timings.
import https from 'node:https';

const t0 = performance.now();
const soap = await import('soap');
const t1 = performance.now();
const [, , url, ca, wsdl] = process.argv as string[];
const client = await soap.createClientAsync(wsdl!, { endpoint: url! });
const t2 = performance.now();
const agent = new https.Agent({ ca: ca!, keepAlive: false });
const [sc] = await client.RetrieveServiceContentAsync(
  { _this: { attributes: { type: 'ServiceInstance' }, $value: 'ServiceInstance' } },
  { httpsAgent: agent },
);
const t3 = performance.now();
if (!sc?.returnval?.about?.apiVersion) throw new Error('no apiVersion');
process.stdout.write(JSON.stringify({ importMs: t1 - t0, setupMs: t2 - t1, firstCallMs: t3 - t2, totalMs: t3 - t0 }));
