/**
 * Soak of the local stack (issue 13, item 7): mixed traffic for --minutes against one stack, its memory
 * sampled all along, so a map that grows with use shows as a rising line.
 *
 *   npm run bench:soak -- [--minutes 30] [--idracs 20] [--sample-s 10] [--trace]
 *
 * The stack runs in this process (embedded DynamoDB on its own thread, as on `npm start`); the simulated
 * iDRACs run in a child process (support/fleet-process.ts) on 127.65.0.x, one of them hanging. Every round:
 * health and worker views, sites and endpoints listed, an endpoint created on an address nothing answers
 * (127.65.1.x in turn, in a scratch site of its own), refreshed and deleted, IPAM lookups, audit reads, and bad
 * input (malformed JSON, unknown ids, a job type that does not exist); a health_check job of the fleet's site
 * every 5 rounds, a discovery of it every 2 minutes. Prints RSS and heap at the start, after warm-up (the first
 * fifth), and at the end, the slope of the heap over the last four fifths, the answers by status class (any 5xx
 * is a failure) and the jobs that failed. Each of the stack's worker threads (the embedded DynamoDB, the
 * function containers) reports its own V8 heap beside the process's RSS; --trace prints every sample.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFleetProcess } from './support/fleet-process';
import { type ThreadMemory, watchThreads } from './support/thread-memory';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    idracs: { type: 'string', default: '20' },
    'sample-s': { type: 'string', default: '10' },
    trace: { type: 'boolean', default: false },
  },
});
const minutes = Number(args.minutes);
const idracs = Number(args.idracs);
const sampleMs = Number(args['sample-s']) * 1000;
if (!(minutes > 0) || !(idracs >= 2 && idracs <= 200) || !(sampleMs >= 1000)) throw new Error('bad --minutes / --idracs / --sample-s');

const PORTS = { https: 29443, wsman: 26986 };
const mb = (b: number) => Math.round(b / 2 ** 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Bytes of the files in `dir`, its subdirectories included. */
const sizeOf = async (dir: string): Promise<number> => {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
};
/** A failed answer in a line: the health components that are not ok, or the start of the body. */
const whyFailed = (text: string) => {
  try {
    const components = (JSON.parse(text) as { components?: Record<string, { status: string; message?: string }> }).components;
    if (components) {
      return Object.entries(components)
        .filter(([, c]) => c.status !== 'ok')
        .map(([name, c]) => `${name} ${c.status}: ${c.message ?? ''}`)
        .join('; ');
    }
  } catch {}
  return text.slice(0, 200);
};

async function main(): Promise<number> {
  process.env.LOG_LEVEL ??= 'ERROR';
  const threads = watchThreads();
  const { startLocalStack } = await import('../infra/local/stack');
  const fleet = await startFleetProcess({
    count: idracs,
    baseAddress: '127.65.0.1',
    ports: PORTS,
    certDir: join(tmpdir(), 'eio-bench-discovery-certs'),
    seed: 'soak',
    hang: [idracs - 1],
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'eio-soak-'));
  const stack = await startLocalStack({ dataDir, port: 0, demo: false, demoIdracs: false });
  const tokens = {
    admin: await stack.issueToken({ role: 'admin', subject: 'soak-admin', ttlSeconds: 24 * 3600 }),
    operator: await stack.issueToken({ role: 'operator', subject: 'soak-operator', ttlSeconds: 24 * 3600 }),
  };
  const answers = new Map<string, number>();
  const failures: string[] = [];
  const call = async (method: string, path: string, role: keyof typeof tokens, body?: unknown, raw?: string) => {
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const klass = `${Math.floor(res.status / 100)}xx`;
    answers.set(klass, (answers.get(klass) ?? 0) + 1);
    if (res.status >= 500 && failures.length < 10) failures.push(`${method} ${path} → ${res.status} ${whyFailed(text)}`);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const samples: { at: number; rss: number; heap: number; external: number; threads: ThreadMemory[] }[] = [];
  const sample = async () => {
    const m = process.memoryUsage();
    const s = { at: Date.now(), rss: m.rss, heap: m.heapUsed, external: m.external, threads: await threads.sample() };
    samples.push(s);
    if (args.trace) {
      const perThread = s.threads
        .map((t) => {
          const iterators = t.openIterators === undefined ? '' : ` (${t.openIterators} iterators open)`;
          return `${t.thread} ${mb(t.heapUsed)}/${mb(t.heapTotal)}${iterators}`;
        })
        .join(', ');
      console.log(
        `  ${new Date(s.at).toISOString()} RSS ${mb(s.rss)} MB, main heap ${mb(s.heap)} MB, external ${mb(s.external)} MB, ${perThread}`,
      );
    }
  };
  try {
    await call('POST', '/api/v1/service-identities', 'admin', {
      id: 'si-soak',
      name: 'soak iDRAC',
      target_kind: 'idrac',
      username: fleet.credentials.username,
      secret: fleet.credentials.password,
    });
    // The fleet's site, which health_check and discovery cover, and a scratch site for the endpoints made on
    // addresses nothing answers: in the fleet's site they would fail its health_checks (an unreachable endpoint
    // fails the job), and past 20 failed jobs in 24 h GET /health answers 503 (critical) by design.
    for (const [id, network] of [
      ['site-soak', '127.65.0.0/24'],
      ['site-scratch', '127.65.1.0/24'],
    ] as const) {
      await call('POST', '/api/v1/sites', 'admin', {
        id,
        name: id,
        management_networks: [network],
        idrac_service_identity_id: 'si-soak',
        trust_on_first_use: true,
        redfish_port: PORTS.https,
        wsman_port: PORTS.wsman,
      });
    }
    const started = Date.now();
    const until = started + minutes * 60_000;
    await sample();
    const sampler = setInterval(() => void sample(), sampleMs);
    let round = 0;
    let lastDiscovery = 0;
    while (Date.now() < until) {
      round++;
      await Promise.all([
        call('GET', '/api/v1/health', 'operator'),
        call('GET', '/api/v1/health/workers', 'operator'),
        call('GET', '/api/v1/sites?limit=50', 'operator'),
        call('GET', '/api/v1/dell/endpoints?limit=50', 'operator'),
        call('GET', `/api/v1/ipam/observations?address=127.65.0.${1 + (round % idracs)}`, 'operator'),
        call('GET', '/api/v1/audit?limit=20', 'admin'),
        call('GET', '/api/v1/jobs?limit=20', 'operator'),
        call('POST', '/api/v1/sites', 'operator', undefined, '{"id": broken'),
        call('GET', `/api/v1/jobs/job-does-not-exist-${round}`, 'operator'),
        call('POST', '/api/v1/jobs', 'operator', { type: `no_such_type_${round % 7}`, target_ids: ['site-soak'] }),
      ]);
      // An endpoint's whole life on an address nothing answers (250 of them in turn, so per-address state
      // such as connection pools and breakers meets many addresses): created, refreshed, deleted.
      const address = `127.65.1.${1 + (round % 250)}`;
      const created = await call('POST', '/api/v1/dell/endpoints', 'operator', {
        site_id: 'site-scratch',
        address,
        redfish_port: PORTS.https,
      });
      if (created.status === 201) {
        await call('POST', `/api/v1/dell/endpoints/${created.body.id}/refresh`, 'operator');
        await call('DELETE', `/api/v1/dell/endpoints/${created.body.id}`, 'admin');
      }
      if (round % 5 === 0) await call('POST', '/api/v1/jobs', 'operator', { type: 'health_check', target_ids: ['site-soak'] });
      if (Date.now() - lastDiscovery > 120_000) {
        lastDiscovery = Date.now();
        await call('POST', '/api/v1/dell/discover', 'operator', { site_ids: ['site-soak'] });
      }
      await sleep(200);
    }
    clearInterval(sampler);
    await sample();
    // Jobs that failed, with their failed steps' errors: the health answer turns critical past 20 in 24 h.
    const failedJobs = (await call('GET', '/api/v1/jobs?status=failed&limit=100', 'operator')).body?.items ?? [];
    const failedSteps: string[] = [];
    for (const job of failedJobs.slice(0, 3)) {
      const steps = (await call('GET', `/api/v1/jobs/${job.id}`, 'operator')).body?.steps ?? [];
      for (const step of steps.filter((st: { status: string }) => st.status === 'failed')) {
        failedSteps.push(`${job.type} ${step.name} ${step.target ?? ''}: ${JSON.stringify(step.error).slice(0, 300)}`);
      }
    }
    const warm = samples.findIndex((s) => s.at >= started + (until - started) / 5);
    const tail = samples.slice(Math.max(0, warm));
    // Least-squares slope of the heap over the last four fifths, in MB per hour.
    const n = tail.length;
    const mx = tail.reduce((a, s) => a + s.at, 0) / n;
    const my = tail.reduce((a, s) => a + s.heap, 0) / n;
    const slope =
      tail.reduce((a, s) => a + (s.at - mx) * (s.heap - my), 0) /
      Math.max(
        1,
        tail.reduce((a, s) => a + (s.at - mx) ** 2, 0),
      );
    const first = samples[0]!;
    const atWarm = samples[Math.max(0, warm)]!;
    const last = samples.at(-1)!;
    const peak = samples.reduce((a, s) => (s.rss > a.rss ? s : a));
    console.log(`Soak of the local stack: ${minutes} min, ${idracs} simulated iDRACs (1 hanging), ${round} rounds`);
    console.log(`  answers           ${[...answers].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(
      `  RSS               start ${mb(first.rss)} MB, after warm-up ${mb(atWarm.rss)} MB, end ${mb(last.rss)} MB, peak ${mb(peak.rss)} MB`,
    );
    console.log(`  heap used         start ${mb(first.heap)} MB, after warm-up ${mb(atWarm.heap)} MB, end ${mb(last.heap)} MB`);
    console.log(
      `  external (buffers) start ${mb(first.external)} MB, after warm-up ${mb(atWarm.external)} MB, end ${mb(last.external)} MB`,
    );
    const threadsAt = (s: (typeof samples)[number]) => s.threads.map((t) => `${t.thread} ${mb(t.heapUsed)}`).join(', ') || 'none started';
    console.log(`  thread heaps      start: ${threadsAt(first)}; after warm-up: ${threadsAt(atWarm)}; end: ${threadsAt(last)} (MB)`);
    const peaks = new Map<string, number>();
    for (const t of samples.flatMap((s) => s.threads)) peaks.set(t.thread, Math.max(peaks.get(t.thread) ?? 0, t.heapUsed));
    console.log(`  thread heap peaks ${[...peaks].map(([thread, peak]) => `${thread} ${mb(peak)} MB`).join(', ')}`);
    const iterators = samples.map((s) => s.threads.find((t) => t.openIterators !== undefined)?.openIterators ?? 0);
    console.log(`  LevelDB iterators open: at the end ${iterators.at(-1)}, at most ${Math.max(...iterators)}`);
    console.log(`  store on disk     ${mb(await sizeOf(join(dataDir, 'dynamodb')))} MB`);
    console.log(`  heap slope        ${((slope * 3_600_000) / 2 ** 20).toFixed(1)} MB/hour over the last four fifths (${n} samples)`);
    console.log(`  machine           ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}, ${new Date().toISOString()}`);
    console.log(`  jobs failed       ${failedJobs.length}${failedJobs.length === 100 ? '+' : ''}`);
    for (const f of failedSteps) console.log(`    ${f}`);
    for (const f of failures) console.log(`  5xx               ${f}`);
    return answers.get('5xx') ? 1 : 0;
  } finally {
    await stack.close().catch(() => undefined);
    await fleet.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('soak failed:', e);
    process.exit(1);
  },
);
