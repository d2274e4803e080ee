/**
 * The benchmark's simulated iDRACs in a process of their own, so their TLS handshakes and Redfish answers
 * do not share an event loop with the stack being measured. Started by `startFleetProcess` (fork with an
 * IPC channel); options arrive as one JSON argument.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type FleetProcessOptions = {
  count: number;
  baseAddress: string;
  ports: { https: number; wsman: number };
  certDir: string;
  seed: string;
  /** Indexes of endpoints that accept TCP and never answer (the `hang` fault). */
  hang: number[];
};

export type FleetStats = {
  /** Per endpoint index: connections accepted and HTTP requests received on both ports. */
  endpoints: Array<{ connections: number; requests: number }>;
  peak_rss_mb: number;
  cpu_s: number;
};

type Reply =
  | { type: 'ready'; credentials: { username: string; password: string }; addresses: string[] }
  | ({ type: 'stats' } & FleetStats)
  | { type: 'error'; message: string };

export type FleetProcess = {
  credentials: { username: string; password: string };
  addresses: string[];
  stats(): Promise<FleetStats>;
  stop(): Promise<void>;
};

export async function startFleetProcess(options: FleetProcessOptions): Promise<FleetProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends Reply['type']>(type: T) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if (m.type === 'error') reject(new Error(`simulator process: ${m.message}`));
        else if (m.type === type) resolve(m as Extract<Reply, { type: T }>);
        else return;
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onExit = (code: number | null) => reject(new Error(`simulator process exited (${code}) before '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    credentials: ready.credentials,
    addresses: ready.addresses,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const { type: _type, ...stats } = await reply;
      return stats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function serve(options: FleetProcessOptions): Promise<void> {
  const { SimulatorFleet } = await import('../../infra/local/simulators');
  let peakRss = process.memoryUsage().rss;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref();
  const send = (m: Reply) => process.send?.(m);
  try {
    const fleet = await SimulatorFleet.start({
      count: options.count,
      baseAddress: options.baseAddress,
      ports: options.ports,
      certDir: options.certDir,
      speed: 100,
      seed: options.seed,
    });
    for (const i of options.hang) await fleet.endpoint(i).setFault({ kind: 'hang' });
    // The bench died without stopping us: don't linger holding 127.x ports.
    process.on('disconnect', () => void fleet.stop().finally(() => process.exit(0)));
    process.on('message', (m: { type: string }) => {
      if (m.type === 'stats') {
        const cpu = process.cpuUsage();
        send({
          type: 'stats',
          endpoints: fleet.endpoints.map((e) => e.stats()),
          peak_rss_mb: Math.round(peakRss / 2 ** 20),
          cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(1),
        });
      } else if (m.type === 'stop') void fleet.stop().finally(() => process.exit(0));
    });
    const info = fleet.info();
    send({ type: 'ready', credentials: info[0]!.credentials, addresses: info.map((i) => i.address) });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) void serve(JSON.parse(process.argv[2]!) as FleetProcessOptions);
