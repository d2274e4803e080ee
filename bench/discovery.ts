/**
 * Dell discovery sweep benchmark (issue 5).
 *
 *   npx tsx bench/discovery.ts [--size 24|22] [--count 50] [--hang-pct 10] [--timeout 600]
 *
 * Starts the real local stack in-process (embedded DynamoDB in a temp dir, in-process queues and worker pools,
 * the HTTP server on a free port) and a simulator fleet of iDRACs on 127.60.0.x, creates a site whose
 * management network is 127.60.0.0/<size> with the fleet's credentials (service identity, trust_on_first_use),
 * runs POST /api/v1/dell/discover and polls the run until it finishes. Meanwhile it samples GET /api/v1/health
 * every 200 ms (latency) and process.memoryUsage().rss every 100 ms.
 *
 * "API responsive" means every /health sample answered (200, or 503 when the idrac component is critical,
 * which a sweep with mostly dead addresses makes it) and the slowest took less than --max-health-ms (1000).
 *
 * Bounded: every loop has a deadline, the whole run has a hard --timeout (default 600 s) after which it exits
 * non-zero; all traffic stays on 127.x. Timeouts of the iDRAC client come from the usual env
 * (IDRAC_CONNECT_TIMEOUT_MS, IDRAC_HEADERS_TIMEOUT_MS, DISCOVERY_PROBE_CONCURRENCY) and are printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SimulatorFleet } from '../infra/local/simulators';
import type { LocalStack } from '../infra/local/stack';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '24' },
    count: { type: 'string', default: '50' },
    'hang-pct': { type: 'string', default: '10' },
    timeout: { type: 'string', default: '600' },
    'max-health-ms': { type: 'string', default: '1000' },
    'https-port': { type: 'string', default: '28443' },
    'wsman-port': { type: 'string', default: '25986' },
  },
});

const size = Number(args.size);
const count = Number(args.count);
const hangPct = Number(args['hang-pct']);
const timeoutS = Number(args.timeout);
const maxHealthMs = Number(args['max-health-ms']);
const PORTS = { https: Number(args['https-port']), wsman: Number(args['wsman-port']) };
if (![20, 21, 22, 23, 24].includes(size)) throw new Error('--size must be 20..24');
const hosts = 2 ** (32 - size) - 2;
if (!(count > 0 && count <= hosts)) throw new Error(`--count must be 1..${hosts}`);
if (!(hangPct >= 0 && hangPct <= 100)) throw new Error('--hang-pct must be 0..100');

const NETWORK = `127.60.0.0/${size}`;
const BASE = '127.60.0.1';
const CERT_DIR = join(tmpdir(), 'eio-bench-discovery-certs');

// Hard stop: whatever happens, the process ends.
const hardStop = setTimeout(() => {
  console.error(`bench: hard timeout of ${timeoutS}s reached, exiting`);
  process.exit(2);
}, timeoutS * 1000);
hardStop.unref();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
rssTimer.unref();

async function main(): Promise<number> {
  // The stack logs every request at INFO to stdout; keep the report readable unless asked otherwise. Config and
  // logger read the environment when first imported, hence the dynamic imports after setting it.
  process.env.LOG_LEVEL ??= 'WARN';
  const { SimulatorFleet } = await import('../infra/local/simulators');
  const { startLocalStack } = await import('../infra/local/stack');
  const dataDir = await mkdtemp(join(tmpdir(), 'eio-bench-'));
  let stack: LocalStack | undefined;
  let fleet: SimulatorFleet | undefined;
  try {
    const t0 = performance.now();
    const hangCount = Math.round((count * hangPct) / 100);
    fleet = await SimulatorFleet.start({
      count,
      baseAddress: BASE,
      ports: PORTS,
      certDir: CERT_DIR,
      speed: 100,
      seed: 'bench-discovery',
    });
    // Spread the hanging ones evenly over the fleet.
    const hangIdx = new Set<number>();
    for (let k = 0; k < hangCount; k++) hangIdx.add(Math.floor((k * count) / hangCount));
    for (const i of hangIdx) await fleet.endpoint(i).setFault({ kind: 'hang' });
    const fleetStartMs = performance.now() - t0;

    stack = await startLocalStack({ dataDir, port: 0, demo: false, demoIdracs: false });
    const s = stack;
    const tokens = {
      admin: await s.issueToken({ role: 'admin', subject: 'bench-admin', ttlSeconds: 3600 }),
      operator: await s.issueToken({ role: 'operator', subject: 'bench-operator', ttlSeconds: 3600 }),
      viewer: await s.issueToken({ role: 'viewer', subject: 'bench-viewer', ttlSeconds: 3600 }),
    };
    const call = async (method: string, path: string, role: keyof typeof tokens | null, body?: unknown) => {
      const headers: Record<string, string> = {};
      if (role) headers.authorization = `Bearer ${tokens[role]}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${s.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json, text };
    };
    const must = (r: { status: number; text: string }, want: number, what: string) => {
      if (r.status !== want) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    };

    const cred = fleet.info()[0]!.credentials as { username: string; password: string };
    must(
      await call('POST', '/api/v1/service-identities', 'admin', {
        id: 'si-bench', name: 'bench iDRAC', target_kind: 'idrac', username: cred.username, secret: cred.password,
      }),
      201,
      'create service identity',
    );
    must(
      await call('POST', '/api/v1/sites', 'operator', {
        id: 'site-bench',
        name: 'bench sweep',
        management_networks: [NETWORK],
        idrac_service_identity_id: 'si-bench',
        trust_on_first_use: true,
        redfish_port: PORTS.https,
        wsman_port: PORTS.wsman,
      }),
      201,
      'create site',
    );

    // Baseline health latency before the sweep.
    const healthOnce = async () => {
      const t = performance.now();
      try {
        const r = await fetch(`${s.baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        return { ms: performance.now() - t, status: r.status };
      } catch {
        return { ms: performance.now() - t, status: 0 };
      }
    };
    const baseline: number[] = [];
    for (let i = 0; i < 5; i++) baseline.push((await healthOnce()).ms);

    const loadBefore = loadavg()[0]!;
    const sweepStart = performance.now();
    const health: { ms: number; status: number; at: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      const until = Date.now() + timeoutS * 1000;
      while (sampling && Date.now() < until) {
        const tick = performance.now();
        health.push({ ...(await healthOnce()), at: tick - sweepStart });
        await sleep(Math.max(0, 200 - (performance.now() - tick)));
      }
    })();

    const started = await call('POST', '/api/v1/dell/discover', 'operator', { site_ids: ['site-bench'] });
    must(started, 202, 'start discovery');
    const runId: string = started.body.id;
    let run: any;
    const pollDeadline = Date.now() + (timeoutS - 10) * 1000;
    let lastLog = 0;
    while (Date.now() < pollDeadline) {
      const r = await call('GET', `/api/v1/dell/discovery-runs/${runId}`, 'viewer');
      run = r.body;
      if (r.status === 200 && run?.status !== 'running') break;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        console.error(`  ... ${((performance.now() - sweepStart) / 1000).toFixed(1)}s probed ${run?.probed}/${run?.total} found ${run?.found}`);
      }
      await sleep(250);
    }
    const wallMs = performance.now() - sweepStart;
    sampling = false;
    await sampler;
    if (!run || run.status === 'running') throw new Error(`discovery run ${runId} did not finish before the deadline`);

    const lat = health.map((h) => h.ms).sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
    const slowest = health.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: -Infinity, status: 0, at: NaN });
    const non200 = health.filter((h) => h.status !== 200 && h.status !== 503).length;
    const cfgConnect = process.env.IDRAC_CONNECT_TIMEOUT_MS ?? '5000 (default)';
    const cfgHeaders = process.env.IDRAC_HEADERS_TIMEOUT_MS ?? '30000 (default)';
    const cfgConc = process.env.DISCOVERY_PROBE_CONCURRENCY ?? '32 (default)';
    const swept = run.total as number;

    const out = {
      network: NETWORK,
      simulators: count,
      hanging: hangCount,
      dead_addresses: hosts - count,
      run_status: run.status,
      addresses_swept: swept,
      probed: run.probed,
      found: run.found,
      unreachable: run.unreachable,
      errors: run.errors,
      endpoints_created: run.endpoints_created,
      wall_time_s: +(wallMs / 1000).toFixed(2),
      addresses_per_s: +(swept / (wallMs / 1000)).toFixed(1),
      peak_rss_mb: +mb(peakRss),
      health_samples: lat.length,
      health_baseline_ms: +Math.max(...baseline).toFixed(1),
      health_p50_ms: +pct(50).toFixed(1),
      health_p99_ms: +pct(99).toFixed(1),
      health_max_ms: +(lat[lat.length - 1] ?? NaN).toFixed(1),
      health_max_at_s: +(slowest.at / 1000).toFixed(1),
      health_failed_samples: non200,
      api_responsive: lat.length > 0 && (lat[lat.length - 1] ?? Infinity) < maxHealthMs && non200 === 0,
      config: { IDRAC_CONNECT_TIMEOUT_MS: cfgConnect, IDRAC_HEADERS_TIMEOUT_MS: cfgHeaders, DISCOVERY_PROBE_CONCURRENCY: cfgConc },
      fleet_start_s: +(fleetStartMs / 1000).toFixed(2),
      loadavg_1m: { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
      machine: { cpus: cpus().length, mem_gb: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
    };
    console.log(`Dell discovery sweep: ${NETWORK}, ${count} simulated iDRACs (${hangCount} hang), ${hosts - count} dead addresses`);
    console.log(`  run ${runId}: ${run.status}`);
    console.log(`  addresses swept   ${swept} (probed ${run.probed})`);
    console.log(`  found             ${run.found} (created ${run.endpoints_created})`);
    console.log(`  unreachable       ${run.unreachable}  errors ${run.errors}`);
    console.log(`  wall time         ${out.wall_time_s} s`);
    console.log(`  addresses/s       ${out.addresses_per_s}`);
    console.log(`  peak RSS          ${out.peak_rss_mb} MB (stack + fleet in one process)`);
    console.log(`  /health latency   baseline max ${out.health_baseline_ms} ms; during sweep p50 ${out.health_p50_ms} / p99 ${out.health_p99_ms} / max ${out.health_max_ms} ms (slowest sent ${out.health_max_at_s} s into the sweep) over ${lat.length} samples, ${non200} failed`);
    console.log(`  API responsive    ${out.api_responsive ? 'yes' : 'NO'} (every sample answered, max < ${maxHealthMs} ms)`);
    console.log(`  load average 1m   ${out.loadavg_1m.before} before, ${out.loadavg_1m.after} after (${out.machine.cpus} CPUs; other work on the machine skews the figures)`);
    console.log(`  config            connect ${cfgConnect} ms, headers ${cfgHeaders} ms, probe concurrency ${cfgConc}`);
    console.log(JSON.stringify(out));
    return run.status === 'succeeded' ? 0 : 1;
  } finally {
    clearInterval(rssTimer);
    await Promise.race([
      (async () => {
        await stack?.close().catch((e) => console.error('stack close:', e));
        await fleet?.stop().catch((e) => console.error('fleet stop:', e));
      })(),
      sleep(30_000),
    ]);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('bench failed:', e);
    process.exit(1);
  },
);
