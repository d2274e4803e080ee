/** Runbook "Health Monitoring" and "Worker Pool Management": overall health, the worker pools, scale, drain. */
import type { Command } from 'commander';
import { action } from '../context';
import { table } from '../output';

type Component = { status: string; message: string };
type Pool = {
  pool: string;
  worker_id: string;
  status: string;
  in_flight: number;
  concurrency_limit: number;
  utilization_pct: number;
  queue_depth: number;
  dead_letter_depth: number;
  draining: boolean;
  reason?: string;
};

export function healthCommands(program: Command): void {
  program
    .command('health')
    .description('GET /api/v1/health: overall status and each component, with what set it')
    .action(
      action(async ({ api, out }) => {
        const h = await api
          .call<{ status: string; version: string; uptime_seconds: number; components: Record<string, Component> }>('GET', '/api/v1/health')
          .catch((e: { status?: number; body?: unknown }) => {
            if (e.status === 503) return e.body as never; // critical is an answer, not an error
            throw e;
          });
        out.print(h, () =>
          [
            `EIO ${h.version}: ${h.status.toUpperCase()} (up ${h.uptime_seconds} s)`,
            table(Object.entries(h.components), [
              ['component', ([n]) => n],
              ['status', ([, c]) => c.status],
              ['message', ([, c]) => c.message],
            ]),
          ].join('\n'),
        );
        if (h.status === 'critical') process.exitCode = 2;
      }),
    );

  const workers = program.command('workers').description('worker pools: status, scale, drain, undrain');
  workers
    .command('list', { isDefault: true })
    .description('GET /api/v1/health/workers')
    .action(
      action(async ({ api, out }) => {
        const r = await api.call<{ pools: Pool[] }>('GET', '/api/v1/health/workers');
        out.print(r, () =>
          table(r.pools, [
            ['pool', (p) => p.pool],
            ['worker', (p) => p.worker_id],
            ['status', (p) => p.status],
            ['in flight', (p) => `${p.in_flight}/${p.concurrency_limit}`],
            ['util %', (p) => p.utilization_pct],
            ['queued', (p) => p.queue_depth],
            ['dead', (p) => p.dead_letter_depth],
            ['draining', (p) => p.draining],
            ['why', (p) => p.reason],
          ]),
        );
      }),
    );
  workers
    .command('scale <worker> <concurrency>')
    .description('PATCH /api/v1/workers/{pool}: batches the pool runs at once from now on (runbook "Scale Workers")')
    .action(
      action(async ({ api, out }, worker: string, concurrency: string) => {
        const n = Number(concurrency);
        if (!Number.isInteger(n)) throw new Error(`concurrency must be a whole number, got '${concurrency}'`);
        const r = await api.call<Pool>('PATCH', `/api/v1/workers/${encodeURIComponent(worker)}`, { concurrency: n });
        out.print(r, () => `${r.pool} (${r.worker_id}): concurrency ${r.concurrency_limit}, ${r.in_flight} in flight`);
      }),
    );
  for (const verb of ['drain', 'undrain'] as const)
    workers
      .command(`${verb} <worker>`)
      .description(`POST /api/v1/workers/{pool}/${verb} (pool name or worker id, e.g. worker-001)`)
      .action(
        action(async ({ api, out }, worker: string) => {
          const r = await api.call<Pool>('POST', `/api/v1/workers/${encodeURIComponent(worker)}/${verb}`);
          out.print(r, () => `${r.pool} (${r.worker_id}): ${r.draining ? 'draining, takes no new work' : 'taking work'}`);
        }),
      );
}
