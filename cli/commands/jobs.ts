/** Runbook "Job Management" and "Job Stuck in Paused State": create, get, follow, cancel, resume, retry, blocking VMs. */
import type { Command } from 'commander';
import { action } from '../context';
import { follow } from '../follow';
import { fields, table } from '../output';

type Step = { name: string; target_id?: string; status: string; duration_ms?: number; error?: string; external_task_id?: string };
type Job = {
  id: string;
  type: string;
  status: string;
  status_reason?: string;
  target_ids: string[];
  created_at: string;
  steps?: Step[];
  waiting_for?: { kind: string; step: string; message: string; valid_actions: string[] };
};
type BlockingVm = {
  vm_id: string;
  name: string;
  host?: string;
  host_name?: string;
  reason: string;
  suggested_actions?: { action: string }[];
};
const FINISHED = ['succeeded', 'failed', 'cancelled'];

const showJob = (j: Job) =>
  [
    fields(j as unknown as Record<string, unknown>, ['id', 'type', 'status', 'status_reason', 'target_ids', 'created_at']),
    ...(j.waiting_for
      ? [`waiting for: ${j.waiting_for.message} (${j.waiting_for.step}); resume with one of: ${j.waiting_for.valid_actions.join(', ')}`]
      : []),
    ...(j.steps?.length
      ? [
          table(j.steps, [
            ['step', (s) => s.name],
            ['target', (s) => s.target_id],
            ['status', (s) => s.status],
            ['ms', (s) => s.duration_ms],
            ['task', (s) => s.external_task_id],
            ['error', (s) => s.error],
          ]),
        ]
      : []),
  ].join('\n');

/** `key=value` pairs; values that parse as JSON (numbers, true, lists) are taken as such. */
const params = (pairs: string[]) =>
  Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i < 1) throw new Error(`--param wants key=value, got '${p}'`);
      const raw = p.slice(i + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {}
      return [p.slice(0, i), value];
    }),
  );
const collect = (v: string, all: string[]) => [...all, v];

export function jobCommands(program: Command): void {
  const jobs = program.command('jobs').description('maintenance and health-check jobs');
  const followJob = (api: { call: <T>(m: string, p: string) => Promise<T> }, id: string, progress: (l: string) => void) =>
    follow({
      read: () => api.call<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`),
      // A paused job waits for a person: following ends there, saying how to go on.
      done: (j) => FINISHED.includes(j.status) || j.status === 'paused' || j.status === 'awaiting_approval',
      describe: (j) => {
        const running = j.steps?.filter((s) => s.status === 'running').map((s) => s.name + (s.target_id ? ` ${s.target_id}` : ''));
        return `${j.id}: ${j.status}${running?.length ? ` (${running.join(', ')})` : ''}${j.status_reason ? `: ${j.status_reason}` : ''}`;
      },
      progress,
    });

  jobs
    .command('create')
    .description('POST /api/v1/jobs (e.g. --type health_check --target site-001)')
    .requiredOption('--type <type>', 'job type')
    .requiredOption('--target <id>', 'target id (repeat for several)', collect, [])
    .option('--id <id>', 'job id to use (e.g. job-001)')
    .option('--param <key=value>', 'job parameter (repeat)', collect, [])
    .option('--follow', 'wait until the job ends or waits for a person')
    .action(
      action(async ({ api, out }, o: { type: string; target: string[]; id?: string; param: string[]; follow?: boolean }) => {
        let job = await api.call<Job>('POST', '/api/v1/jobs', {
          ...(o.id ? { id: o.id } : {}),
          type: o.type,
          target_ids: o.target,
          ...(o.param.length ? { params: params(o.param) } : {}),
        });
        if (o.follow) job = await followJob(api, job.id, out.progress);
        out.print(job, () => showJob(job));
        if (job.status === 'failed') process.exitCode = 1;
      }),
    );
  jobs
    .command('list')
    .description('GET /api/v1/jobs, newest first')
    .option('--status <status>', 'only jobs in this status')
    .action(
      action(async ({ api, out }, o: { status?: string }) => {
        const r = await api.call<{ items: Job[] }>('GET', `/api/v1/jobs${o.status ? `?status=${encodeURIComponent(o.status)}` : ''}`);
        out.print(r, () =>
          table(r.items, [
            ['job', (j) => j.id],
            ['type', (j) => j.type],
            ['status', (j) => j.status],
            ['targets', (j) => j.target_ids.join(',')],
            ['created', (j) => j.created_at],
          ]),
        );
      }),
    );
  jobs
    .command('get <id>')
    .description('GET /api/v1/jobs/{id}: the job, its steps and what it waits for')
    .action(
      action(async ({ api, out }, id: string) => {
        const j = await api.call<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
        out.print(j, () => showJob(j));
      }),
    );
  jobs
    .command('follow <id>')
    .description('GET /api/v1/jobs/{id} until the job ends or waits for a person, printing each change')
    .action(
      action(async ({ api, out }, id: string) => {
        const j = await followJob(api, id, out.progress);
        out.print(j, () => showJob(j));
        if (j.status === 'failed') process.exitCode = 1;
      }),
    );
  jobs
    .command('cancel <id>')
    .description('POST /api/v1/jobs/{id}/cancel')
    .action(
      action(async ({ api, out }, id: string) => {
        const j = await api.call<Job>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);
        out.print(j, () => `${j.id}: ${j.status}`);
      }),
    );
  jobs
    .command('resume <id>')
    .description('POST /api/v1/jobs/{id}/resume (e.g. --action shutdown_vms --vm vm-001 --vm vm-002)')
    .requiredOption('--action <action>', "one of the job's valid actions (shutdown_vms, suspend_vms, retry, skip_host, abort)")
    .option('--vm <id>', 'a blocking VM the action is for (repeat)', collect, [])
    .action(
      action(async ({ api, out }, id: string, o: { action: string; vm: string[] }) => {
        const j = await api.call<Job>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/resume`, {
          action: o.action,
          ...(o.vm.length ? { vm_ids: o.vm } : {}),
        });
        out.print(j, () => `${j.id}: ${j.status}`);
      }),
    );
  jobs
    .command('retry <id>')
    .description('POST /api/v1/jobs/{id}/retry: run a failed or cancelled job again (its failed targets only, where the type allows)')
    .option('--follow', 'wait until the new job ends or waits for a person')
    .action(
      action(async ({ api, out }, id: string, o: { follow?: boolean }) => {
        let job = await api.call<Job>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/retry`);
        if (o.follow) job = await followJob(api, job.id, out.progress);
        out.print(job, () => showJob(job));
        if (job.status === 'failed') process.exitCode = 1;
      }),
    );
  jobs
    .command('blocking-vms <id>')
    .description('GET /api/v1/jobs/{id}/blocking-vms: what keeps a paused job from evacuating its host')
    .action(
      action(async ({ api, out }, id: string) => {
        const r = await api.call<{ status: string; items: BlockingVm[] }>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/blocking-vms`);
        out.print(r, () =>
          r.items.length
            ? table(r.items, [
                ['vm', (v) => v.vm_id],
                ['name', (v) => v.name],
                ['host', (v) => v.host_name ?? v.host],
                ['reason', (v) => v.reason],
                ['actions', (v) => (v.suggested_actions ?? []).map((a) => a.action).join(', ')],
              ])
            : `job is ${r.status}: no blocking VMs`,
        );
      }),
    );
}
