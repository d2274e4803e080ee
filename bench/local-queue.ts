/**
 * Local queue persistence benchmark (issue 13, item 5).
 *
 *   npm run bench:queue -- [--backlog 40000] [--sends 500] [--body-bytes 300]
 *
 * A persisted LocalQueue (on disk, in a temporary directory) is filled with --backlog messages of
 * --body-bytes each, then --sends single-message sends are timed one after another, as `POST /jobs` sends its
 * job message: p50, p99 and max of the time until the send is acknowledged (appended and synced), and how many
 * compactions (snapshot rewrites) happened during the timed sends. The same with an empty queue, for comparison.
 * Rewriting the whole file on every send took 0.3–0.6 s per send behind 40,000 messages.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LocalQueue } from '../shared/adapters/queue/local-queue';

const { values: args } = parseArgs({
  options: {
    backlog: { type: 'string', default: '40000' },
    sends: { type: 'string', default: '500' },
    'body-bytes': { type: 'string', default: '300' },
  },
});
const backlog = Number(args.backlog);
const sends = Number(args.sends);
const body = 'x'.repeat(Number(args['body-bytes']));
const QUEUES = [{ name: 'jobs', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(label: string, messages: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eio-bench-queue-'));
  try {
    const file = join(dir, 'queues.json');
    const queue = new LocalQueue({ queues: QUEUES, file });
    for (let i = 0; i < messages; i += 10)
      await queue.send(
        'jobs',
        Array.from({ length: Math.min(10, messages - i) }, () => ({ body })),
      );
    const journalsBefore = (await readdir(dir)).filter((n) => n.endsWith('.journal'));
    let compactions = 0;
    const times: number[] = [];
    for (let i = 0; i < sends; i++) {
      const started = performance.now();
      await queue.send('jobs', [{ body }]);
      times.push(performance.now() - started);
      const now = (await readdir(dir)).filter((n) => n.endsWith('.journal'));
      if (now[0] !== journalsBefore[0]) {
        compactions++;
        journalsBefore.splice(0, 1, now[0]!);
      }
    }
    await queue.close();
    times.sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    console.log(
      `${label}: ${messages} queued, ${sends} sends: p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}, max ${ms(times.at(-1)!)}, ` +
        `${compactions} compaction(s)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await run('empty queue', 0);
await run('backlog', backlog);
