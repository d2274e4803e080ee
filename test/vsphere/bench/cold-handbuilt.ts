// Cold start of the hand-built client: import, construct, one RetrieveServiceContent.
export {};

// Bundled with esbuild and run in a fresh process by client-choice.ts. Prints JSON timings.
const t0 = performance.now();
const { VSphereClient } = await import('../../../shared/adapters/vsphere');
const t1 = performance.now();
const [, , url, ca] = process.argv as string[];
const client = new VSphereClient({ url: url!, credentials: { username: 'x', password: 'y' }, tls: { kind: 'ca', ca: ca! } });
const t2 = performance.now();
const sc = await client.retrieveServiceContent();
const t3 = performance.now();
if (!sc.about.apiVersion) throw new Error('no apiVersion');
await client.close();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, setupMs: t2 - t1, firstCallMs: t3 - t2, totalMs: t3 - t0 }));
