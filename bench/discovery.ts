/**
 * Dell discovery sweep benchmark (issue 5).
 *
 *   npm run bench:discovery -- [--size 22] [--count 1000] [--hang-pct 20] [--timeout 600]
 *
 * The real local stack runs in this process (embedded DynamoDB in a temp dir on its own thread, in-process
 * queues and worker pools, the HTTP server on a free port); the simulated iDRACs run in a child process (bench/support/
 * fleet-process.ts) on 127.60.0.x so their TLS and Redfish work is not counted against the stack's event loop.
 *
 * 1. Calibration, one address at a time on a quiet stack: a /32 site each for three answering iDRACs, one
 *    that never answers and one dead address (127.61.0.x), each discovered alone. Their wall times are the
 *    per-endpoint work w_found, w_hang, w_dead.
 * 2. The sweep: a site whose management network is 127.60.0.0/<size> holding --count iDRACs, --hang-pct of
 *    them accepting TCP and never answering; POST /api/v1/dell/discover and poll the run until it ends,
 *    sampling GET /api/v1/health every --health-interval-ms (1000) and RSS every 100 ms.
 * 3. The figures: the sweep's wall time against its CPU floor (the CPU the sweep needed, on this machine's
 *    cores; target ≤ 1.2×) and against the slots-only bound (found × w_found + hanging × w_hang + dead × w_dead)
 *    / C, with C the discovery pool's concurrency: what the sweep would take if every address held a probe
 *    slot for its whole time, as it did before addresses were knocked on first. Requests and connections per
 *    endpoint come from the simulators' own counters. Then the modelled Lambda GB-seconds per 1,000 addresses,
 *    one probe slot per address (before) against knock slices (after; shared/usecases/dell-discovery.ts).
 *
 * Bounded: every loop has a deadline and --timeout (600 s) is a hard stop; all traffic stays on 127.x.
 * iDRAC client timeouts come from the usual env (IDRAC_CONNECT_TIMEOUT_MS, IDRAC_HEADERS_TIMEOUT_MS).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalStack } from '../infra/local/stack';
import { type FleetProcess, startFleetProcess } from './support/fleet-process';
import { clairvoyantFloor, firstComeMakespan } from './support/schedule-limits';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '22' },
    count: { type: 'string', default: '1000' },
    'hang-pct': { type: 'string', default: '20' },
    timeout: { type: 'string', default: '600' },
    'max-health-ms': { type: 'string', default: '1000' },
    'health-interval-ms': { type: 'string', default: '1000' },
    'https-port': { type: 'string', default: '28443' },
    'wsman-port': { type: 'string', default: '25986' },
  },
});

const size = Number(args.size);
const count = Number(args.count);
const hangPct = Number(args['hang-pct']);
const timeoutS = Number(args.timeout);
const maxHealthMs = Number(args['max-health-ms']);
const healthIntervalMs = Number(args['health-interval-ms']);
const PORTS = { https: Number(args['https-port']), wsman: Number(args['wsman-port']) };
if (![20, 21, 22, 23, 24].includes(size)) throw new Error('--size must be 20..24');
const hosts = 2 ** (32 - size) - 2;
if (!(count > 0 && count <= hosts)) throw new Error(`--count must be 1..${hosts}`);
if (!(hangPct >= 0 && hangPct <= 100)) throw new Error('--hang-pct must be 0..100');

const NETWORK = `127.60.0.0/${size}`;
const BASE = '127.60.0.1';
const CALIBRATION_BASE = '127.61.0.1';
/** Nothing listens here: a refused connection. */
const DEAD_ADDRESS = '127.61.0.200';
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
  const { startLocalStack } = await import('../infra/local/stack');
  const { WORKER_POOLS } = await import('../shared/catalog/worker-pools');
  const { config } = await import('../shared/config');
  const { FUNCTIONS } = await import('../shared/catalog/functions');
  const { KNOCK_SLICE } = await import('../shared/usecases/dell-discovery');
  const concurrency = WORKER_POOLS.discovery!.concurrency;
  const dataDir = await mkdtemp(join(tmpdir(), 'eio-bench-'));
  let stack: LocalStack | undefined;
  let fleet: FleetProcess | undefined;
  let calibrationFleet: FleetProcess | undefined;
  try {
    const t0 = performance.now();
    const hangCount = Math.round((count * hangPct) / 100);
    // Spread the hanging ones evenly over the fleet.
    const hang = new Set<number>();
    for (let k = 0; k < hangCount; k++) hang.add(Math.floor((k * count) / hangCount));
    [fleet, calibrationFleet] = await Promise.all([
      startFleetProcess({ count, baseAddress: BASE, ports: PORTS, certDir: CERT_DIR, seed: 'bench-discovery', hang: [...hang] }),
      startFleetProcess({ count: 4, baseAddress: CALIBRATION_BASE, ports: PORTS, certDir: CERT_DIR, seed: 'bench-calibration', hang: [3] }),
    ]);
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
    const createSite = async (id: string, network: string) =>
      must(
        await call('POST', '/api/v1/sites', 'admin', {
          id,
          name: id,
          management_networks: [network],
          idrac_service_identity_id: 'si-bench',
          trust_on_first_use: true,
          redfish_port: PORTS.https,
          wsman_port: PORTS.wsman,
        }),
        201,
        `create site ${id}`,
      );
    /**
     * POST /dell/discover for one site and poll until the run ends. Wall time from the POST to the run's own
     * finished_at (same machine, same clock), so the poll interval neither adds to it nor costs the stack much.
     */
    const discover = async (siteId: string, pollMs: number, onPoll?: (run: any, elapsedMs: number) => void) => {
      const start = performance.now();
      const startedAt = Date.now();
      const started = await call('POST', '/api/v1/dell/discover', 'operator', { site_ids: [siteId] });
      must(started, 202, `start discovery of ${siteId}`);
      const deadline = Date.now() + (timeoutS - 10) * 1000;
      while (Date.now() < deadline) {
        const r = await call('GET', `/api/v1/dell/discovery-runs/${started.body.id}`, 'viewer');
        if (r.status === 200 && r.body?.status !== 'running') return { run: r.body, ms: Date.parse(r.body.finished_at) - startedAt };
        onPoll?.(r.body, performance.now() - start);
        await sleep(pollMs);
      }
      throw new Error(`discovery run ${started.body.id} did not finish before the deadline`);
    };

    const cred = fleet.credentials;
    must(
      await call('POST', '/api/v1/service-identities', 'admin', {
        id: 'si-bench',
        name: 'bench iDRAC',
        target_kind: 'idrac',
        username: cred.username,
        secret: cred.password,
      }),
      201,
      'create service identity',
    );

    // 1. Calibration: per-endpoint work, one address alone on a quiet stack.
    const calibrate = async (name: string, address: string) => {
      await createSite(`site-cal-${name}`, `${address}/32`);
      const { run, ms } = await discover(`site-cal-${name}`, 10);
      return { ms, found: run.found as number };
    };
    // Calibration endpoints 0–2 answer, 3 hangs (see startFleetProcess above).
    const [a0, a1, a2, hanging] = calibrationFleet.addresses as [string, string, string, string];
    const answering = [] as number[];
    for (const [k, address] of [a0, a1, a2].entries()) {
      const c = await calibrate(`found-${k}`, address);
      if (c.found !== 1) throw new Error(`calibration iDRAC ${address} was not found`);
      answering.push(c.ms);
    }
    const wFound = answering.sort((a, b) => a - b)[1]!;
    const wHang = (await calibrate('hang', hanging)).ms;
    const wDead = (await calibrate('dead', DEAD_ADDRESS)).ms;

    // 2. The sweep.
    await createSite('site-bench', NETWORK);
    const health: { ms: number; status: number; at: number }[] = [];
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
    const cpuBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const fleetCpuBefore = (await fleet.stats()).cpu_s;
    const sweepStart = performance.now();
    let sampling = true;
    const sampler = (async () => {
      const until = Date.now() + timeoutS * 1000;
      while (sampling && Date.now() < until) {
        const tick = performance.now();
        health.push({ ...(await healthOnce()), at: tick - sweepStart });
        await sleep(Math.max(0, healthIntervalMs - (performance.now() - tick)));
      }
    })();
    let lastLog = 0;
    const { run, ms: wallMs } = await discover('site-bench', 1000, (r, elapsed) => {
      if (elapsed - lastLog < 5000) return;
      lastLog = elapsed;
      console.error(`  ... ${(elapsed / 1000).toFixed(1)}s probed ${r?.probed}/${r?.total} found ${r?.found}`);
    });
    sampling = false;
    await sampler;
    const cpu = process.cpuUsage(cpuBefore);
    const loop = performance.eventLoopUtilization(loopBefore);
    const fleetStats = await fleet.stats();

    // 3. The bound and the figures.
    const swept = run.total as number;
    const hangingSwept = hangCount;
    const deadSwept = swept - count;
    // Work spread evenly over the slots, but never less than the slowest single address takes alone.
    const slowestMs = Math.max(run.found ? wFound : 0, hangingSwept ? wHang : 0, deadSwept ? wDead : 0);
    const boundMs = Math.max((run.found * wFound + hangingSwept * wHang + deadSwept * wDead) / concurrency, slowestMs);
    // The same work as indivisible addresses, in the order the sweep queues them (fleet index = host address index).
    const durations = Array.from({ length: swept }, (_, i) => (i >= count ? wDead : hang.has(i) ? wHang : wFound));
    const firstComeMs = firstComeMakespan(durations, concurrency);
    const clairvoyantMs = clairvoyantFloor(durations, concurrency);
    const answeringStats = fleetStats.endpoints.filter((_, i) => !hang.has(i));
    const perEndpoint = (k: 'requests' | 'connections') =>
      answeringStats.reduce((n, e) => n + e[k], 0) / Math.max(1, answeringStats.length);
    const lat = health.map((h) => h.ms).sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
    const slowest = health.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: -Infinity, status: 0, at: NaN });
    const non200 = health.filter((h) => h.status !== 200 && h.status !== 503).length;
    const idrac = config().idrac;
    const r2 = (n: number) => +n.toFixed(2);

    // Modelled Lambda billing of the discovery function, per 1,000 addresses. Before: each address held a
    // probe invocation for its time (a silent one for the connect timeout). After: each knock slice waits at
    // most one connect timeout (when it holds a silent address), and only answering addresses are probed.
    const gb = FUNCTIONS['worker-discovery']!.memoryMb / 1024;
    const per1000 = (ms: number) => r2(((ms / 1000) * gb * 1000) / swept);
    const beforeMs = run.found * wFound + hangingSwept * idrac.connectTimeoutMs + deadSwept * wDead;
    let silentSlices = 0;
    for (let first = 0; first < swept; first += KNOCK_SLICE)
      if ([...hang].some((i) => i >= first && i < first + KNOCK_SLICE)) silentSlices++;
    const afterMs = silentSlices * idrac.connectTimeoutMs + run.found * wFound;

    const out = {
      network: NETWORK,
      simulators: count,
      hanging: hangCount,
      dead_addresses: deadSwept,
      run_status: run.status,
      addresses_swept: swept,
      probed: run.probed,
      found: run.found,
      unreachable: run.unreachable,
      errors: run.errors,
      endpoints_created: run.endpoints_created,
      wall_time_s: r2(wallMs / 1000),
      ideal_bound_s: r2(boundMs / 1000),
      ratio_to_bound: r2(wallMs / boundMs),
      first_come_schedule_s: r2(firstComeMs / 1000),
      ratio_to_first_come_schedule: r2(wallMs / firstComeMs),
      clairvoyant_floor_s: r2(clairvoyantMs / 1000),
      // No schedule on this machine beats the CPU the sweep needed: the main thread's event loop (API,
      // queue, workers) is busy for its active time at least, and both processes together share the cores.
      cpu_floor_s: r2(Math.max(loop.active / 1000, ((cpu.user + cpu.system) / 1e6 + fleetStats.cpu_s - fleetCpuBefore) / cpus().length)),
      lambda_gb_s_per_1000_addresses: { one_slot_per_address: per1000(beforeMs), knock_slices: per1000(afterMs), memory_gb: gb },
      calibration_ms: { found: Math.round(wFound), hang: Math.round(wHang), dead: Math.round(wDead) },
      concurrency,
      addresses_per_s: +(swept / (wallMs / 1000)).toFixed(1),
      requests_per_found_endpoint: +perEndpoint('requests').toFixed(1),
      connections_per_found_endpoint: +perEndpoint('connections').toFixed(1),
      stack_cpu_s: r2((cpu.user + cpu.system) / 1e6),
      stack_cpu_utilization_pct: Math.round(((cpu.user + cpu.system) / 1e3 / wallMs) * 100),
      main_event_loop_busy_pct: Math.round(loop.utilization * 100),
      simulators_cpu_s: r2(fleetStats.cpu_s - fleetCpuBefore),
      peak_rss_mb: +mb(peakRss),
      simulators_peak_rss_mb: fleetStats.peak_rss_mb,
      health_samples: lat.length,
      health_baseline_ms: +Math.max(...baseline).toFixed(1),
      health_p50_ms: +pct(50).toFixed(1),
      health_p99_ms: +pct(99).toFixed(1),
      health_max_ms: +(lat[lat.length - 1] ?? NaN).toFixed(1),
      health_max_at_s: +(slowest.at / 1000).toFixed(1),
      health_failed_samples: non200,
      api_responsive: lat.length > 0 && (lat[lat.length - 1] ?? Infinity) < maxHealthMs && non200 === 0,
      config: { IDRAC_CONNECT_TIMEOUT_MS: idrac.connectTimeoutMs, IDRAC_HEADERS_TIMEOUT_MS: idrac.headersTimeoutMs },
      fleet_start_s: r2(fleetStartMs / 1000),
      loadavg_1m: { before: r2(loadBefore), after: r2(loadavg()[0]!) },
      machine: { cpus: cpus().length, mem_gb: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
    };
    console.log(`Dell discovery sweep: ${NETWORK}, ${count} simulated iDRACs (${hangCount} hang), ${deadSwept} dead addresses`);
    console.log(`  run ${run.id}: ${run.status}`);
    console.log(`  addresses swept   ${swept} (probed ${run.probed})`);
    console.log(`  found             ${run.found} (created ${run.endpoints_created})`);
    console.log(`  unreachable       ${run.unreachable}  errors ${run.errors}`);
    console.log(`  wall time         ${out.wall_time_s} s`);
    console.log(
      `  ideal bound       ${out.ideal_bound_s} s = max((${run.found} × ${out.calibration_ms.found} ms` +
        ` + ${hangingSwept} × ${out.calibration_ms.hang} ms + ${deadSwept} × ${out.calibration_ms.dead} ms)` +
        ` / ${concurrency} probes in flight, slowest address ${Math.round(slowestMs)} ms)`,
    );
    console.log(`  ratio to bound    ${out.ratio_to_bound}× (below 1: silent addresses no longer hold probe slots)`);
    console.log(
      `  slots alone       ${out.first_come_schedule_s} s (${r2(firstComeMs / boundMs)}× the bound) with zero overhead, ` +
        `addresses taken in sweep order by the next free slot; ` +
        `${out.clairvoyant_floor_s} s (${r2(clairvoyantMs / boundMs)}×) even knowing in advance which addresses hang`,
    );
    console.log(`  ratio to that     ${out.ratio_to_first_come_schedule}× (the stack's own overhead on top of the slots)`);
    console.log(
      `  CPU floor         ${out.cpu_floor_s} s = max(busy time of the stack's main event loop, ` +
        `(stack + simulators CPU) / ${cpus().length} cores): no sweep here beats it`,
    );
    console.log(`  ratio to floor    ${r2(wallMs / (out.cpu_floor_s * 1000))}× (target ≤ 1.2×)`);
    console.log(
      `  Lambda GB-s/1,000 ${out.lambda_gb_s_per_1000_addresses.one_slot_per_address} with one probe slot per address, ` +
        `${out.lambda_gb_s_per_1000_addresses.knock_slices} with knock slices of ${KNOCK_SLICE} ` +
        `(modelled: ${gb} GB function, silent address = connect timeout ${idrac.connectTimeoutMs} ms, found = ${Math.round(wFound)} ms)`,
    );
    console.log(`  addresses/s       ${out.addresses_per_s}`);
    console.log(`  per found iDRAC   ${out.requests_per_found_endpoint} requests over ${out.connections_per_found_endpoint} connections`);
    console.log(
      `  CPU               stack ${out.stack_cpu_s} s (${out.stack_cpu_utilization_pct} % of one core over the sweep, ` +
        `all its threads; main event loop busy ${out.main_event_loop_busy_pct} %, ~100 % = CPU-bound), ` +
        `simulators ${out.simulators_cpu_s} s (${out.machine.cpus} cores)`,
    );
    console.log(`  peak RSS          stack ${out.peak_rss_mb} MB, simulators ${out.simulators_peak_rss_mb} MB`);
    console.log(
      `  /health latency   baseline max ${out.health_baseline_ms} ms; ` +
        `during sweep p50 ${out.health_p50_ms} / p99 ${out.health_p99_ms} / max ${out.health_max_ms} ms ` +
        `(slowest sent ${out.health_max_at_s} s into the sweep) over ${lat.length} samples, ${non200} failed`,
    );
    console.log(`  API responsive    ${out.api_responsive ? 'yes' : 'NO'} (every sample answered, max < ${maxHealthMs} ms)`);
    console.log(
      `  load average 1m   ${out.loadavg_1m.before} before, ${out.loadavg_1m.after} after (other work on the machine skews the figures)`,
    );
    console.log(`  config            connect timeout ${idrac.connectTimeoutMs} ms, headers timeout ${idrac.headersTimeoutMs} ms`);
    console.log(JSON.stringify(out));
    return run.status === 'succeeded' ? 0 : 1;
  } finally {
    clearInterval(rssTimer);
    await Promise.race([
      (async () => {
        await stack?.close().catch((e) => console.error('stack close:', e));
        await fleet?.stop().catch((e) => console.error('simulators stop:', e));
        await calibrationFleet?.stop().catch((e) => console.error('simulators stop:', e));
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
