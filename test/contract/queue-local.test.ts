import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue, type LocalQueueDeclaration, LocalQueueError } from '../../shared/adapters/queue/local-queue';
import { CONTRACT_QUEUES, queueContract } from './queue.contract';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eio-queue-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

queueContract('LocalQueue in memory', async () => {
  const queue = new LocalQueue({ queues: CONTRACT_QUEUES });
  return { queue, close: () => queue.close() };
});

queueContract('LocalQueue persisted to a file', async () => {
  const queue = new LocalQueue({ queues: CONTRACT_QUEUES, file: join(await tempDir(), 'queues.json') });
  return { queue, close: () => queue.close() };
});

const WORK: LocalQueueDeclaration[] = [{ name: 'work', visibilityTimeoutSeconds: 60, maxReceiveCount: 2 }];

describe('LocalQueue persistence', () => {
  let file: string;
  const open: LocalQueue[] = [];
  const openQueue = (queues = WORK) => {
    const q = new LocalQueue({ queues, file });
    open.push(q);
    return q;
  };
  beforeEach(async () => {
    file = join(await tempDir(), 'state', 'queues.json');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('keeps a sent message, its id and attributes across close and reopen', async () => {
    const q1 = openQueue();
    const [id] = await q1.send('work', [{ body: 'survive', attributes: { kind: 'job' } }]);
    await q1.close();

    const q2 = openQueue();
    expect(await q2.receive('work', { max: 10 })).toMatchObject([{ id, body: 'survive', attributes: { kind: 'job' }, receiveCount: 1 }]);
  });

  it('makes a received but undeleted message visible again after a restart', async () => {
    const q1 = openQueue();
    const [id] = await q1.send('work', [{ body: 'in flight' }]);
    expect(await q1.receive('work', { max: 1 })).toHaveLength(1); // hidden for 60 s in this process
    await q1.close();

    const q2 = openQueue();
    expect(await q2.receive('work', { max: 10 })).toMatchObject([{ id, body: 'in flight', receiveCount: 2 }]);
  });

  it('keeps deletes, receive counts and the dead-letter queue across restarts', async () => {
    const q1 = openQueue();
    await q1.send('work', [{ body: 'deleted' }, { body: 'poison' }]);
    const got = await q1.receive('work', { max: 10 });
    await q1.delete('work', got.find((m) => m.body === 'deleted')!.receiptHandle);
    await q1.close();

    const q2 = openQueue();
    expect(await q2.receive('work', { max: 10 })).toMatchObject([{ body: 'poison', receiveCount: 2 }]);
    await q2.close();

    // Third start: the receive count (2) was kept, so this receive dead-letters it.
    const q3 = openQueue();
    expect(await q3.receive('work', { max: 10 })).toEqual([]);
    expect(await q3.stats('work')).toMatchObject({ depth: 0, deadLetterDepth: 1 });
    await q3.close();

    const q4 = openQueue();
    expect(await q4.receive('work-dlq', { max: 10 })).toMatchObject([{ body: 'poison' }]);
  });

  it('keeps a delayed message delayed across a restart', async () => {
    const q1 = openQueue();
    await q1.send('work', [{ body: 'later', delaySeconds: 600 }]);
    await q1.close();

    const q2 = openQueue();
    expect(await q2.receive('work', { max: 10 })).toEqual([]);
    expect(await q2.stats('work')).toMatchObject({ depth: 1, inFlight: 0 });
  });

  it('writes atomically: after a burst and a clean close, one snapshot holding everything, an empty journal, no temp files', async () => {
    const q1 = openQueue();
    await Promise.all(Array.from({ length: 30 }, (_, i) => q1.send('work', [{ body: `burst ${i}` }])));
    await q1.close();
    const dir = join(file, '..');
    const names = await readdir(dir);
    expect(names).toHaveLength(2);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { journal: string; queues: Record<string, unknown[]> };
    expect(names.sort()).toEqual(['queues.json', saved.journal].sort());
    expect(saved.queues.work).toHaveLength(30);
    expect(await readFile(join(dir, saved.journal), 'utf8')).toBe('');
  });

  describe('the journal', () => {
    const files = async () => {
      const dir = join(file, '..');
      const journal = (await readdir(dir)).find((n) => n.endsWith('.journal'))!;
      return { dir, journal: join(dir, journal) };
    };

    it('a send behind a backlog appends one line and never rewrites the snapshot', async () => {
      const q = openQueue();
      for (let i = 0; i < 20; i++)
        await q.send(
          'work',
          Array.from({ length: 10 }, (_, j) => ({ body: `backlog ${i}.${j}` })),
        );
      const { journal } = await files();
      const [snapshotBefore, journalBefore] = await Promise.all([stat(file), stat(journal)]);
      await q.send('work', [{ body: 'one more' }]);
      const [snapshotAfter, journalAfter] = await Promise.all([stat(file), stat(journal)]);
      expect({ ino: snapshotAfter.ino, size: snapshotAfter.size, mtime: snapshotAfter.mtimeMs }).toEqual({
        ino: snapshotBefore.ino,
        size: snapshotBefore.size,
        mtime: snapshotBefore.mtimeMs,
      });
      const added = (await readFile(journal, 'utf8')).slice(journalBefore.size);
      expect(
        added
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ).toEqual([{ op: 'send', q: 'work', m: expect.objectContaining({ body: 'one more', receiveCount: 0 }) }]);
      expect(journalAfter.mode & 0o777).toBe(0o600);
    });

    it('a torn last line (the process died mid-append) is ignored; everything before it is kept', async () => {
      const q1 = new LocalQueue({ queues: WORK, file });
      await q1.send('work', [{ body: 'a' }]);
      await q1.send('work', [{ body: 'b' }]);
      const { journal } = await files();
      await appendFile(journal, '{"op":"send","q":"work","m":{"id":"torn","bo');
      const q2 = openQueue();
      expect((await q2.receive('work', { max: 10 })).map((m) => m.body)).toEqual(['a', 'b']);
      await q2.close();
      await q1.close();
    });

    it('a damaged line before the last is refused, naming the journal and the line', async () => {
      const q1 = openQueue();
      await q1.send('work', [{ body: 'a' }]);
      await q1.send('work', [{ body: 'b' }]);
      const { journal } = await files();
      const lines = (await readFile(journal, 'utf8')).split('\n');
      await writeFile(journal, [lines[0], '{"op":"sen', ...lines.slice(1)].join('\n'));
      expect(() => new LocalQueue({ queues: WORK, file })).toThrow(new RegExp(`${journal} line 2 is corrupt`));
    });

    it('compacts once the journal outgrows the snapshot: a new journal, the old one removed, nothing lost', async () => {
      const q1 = new LocalQueue({ queues: WORK, file, compactAfterBytes: 2_000 });
      open.push(q1);
      await q1.send('work', [{ body: 'm0' }]);
      const first = (await files()).journal;
      for (let i = 1; i < 40; i++) await q1.send('work', [{ body: `m${i}` }]);
      const got = await q1.receive('work', { max: 10 });
      for (const m of got.slice(0, 5)) await q1.delete('work', m.receiptHandle);
      await q1.send('work', [{ body: 'last' }]);
      const { dir, journal } = await files();
      expect(journal).not.toBe(first);
      expect((await readdir(dir)).filter((n) => n.endsWith('.journal'))).toHaveLength(1);
      expect((await stat(journal)).size).toBeLessThan(2_000 + (await stat(file)).size);

      // Reopened from the same file: the same messages, receive counts kept.
      const q3 = openQueue();
      const all = await q3.receive('work', { max: 10 });
      expect(all[0]).toMatchObject({ body: 'm5', receiveCount: 2 });
      expect((await q3.stats('work')).depth + all.length).toBe(41 - 5);
    });

    it('a journal left by a compaction that crashed before its snapshot is removed, not replayed', async () => {
      const q1 = openQueue();
      await q1.send('work', [{ body: 'kept' }]);
      await q1.close();
      const stray = `${file}.0123456789ab.journal`;
      await writeFile(
        stray,
        `${JSON.stringify({
          op: 'send',
          q: 'work',
          m: { id: 'x', body: 'ghost', attributes: {}, sentAt: 1, visibleAt: 1, receiveCount: 0 },
        })}\n`,
      );
      const q2 = openQueue();
      expect((await q2.receive('work', { max: 10 })).map((m) => m.body)).toEqual(['kept']);
      expect(await readdir(join(file, '..'))).not.toContain('queues.json.0123456789ab.journal');
    });

    it('reads a queue file of the former format (one snapshot, no journal) and carries on with a journal', async () => {
      await mkdir(join(file, '..'), { recursive: true });
      const old = { id: 'old-1', body: 'from before', attributes: {}, sentAt: 1, visibleAt: 1, receiveCount: 1 };
      await writeFile(file, JSON.stringify({ version: 1, queues: { work: [old] } }));
      const q1 = openQueue();
      await q1.send('work', [{ body: 'new' }]);
      await q1.close();
      const q2 = openQueue();
      expect(await q2.receive('work', { max: 10 })).toMatchObject([
        { id: 'old-1', body: 'from before', receiveCount: 2 },
        { body: 'new', receiveCount: 1 },
      ]);
      expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(2);
    });
  });

  it('keeps messages of a queue no longer declared in the file instead of dropping them', async () => {
    const q1 = openQueue([{ name: 'old', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }]);
    await q1.send('old', [{ body: 'still here' }]);
    await q1.close();

    const q2 = openQueue(WORK);
    await q2.send('work', [{ body: 'new' }]);
    await q2.close();

    const q3 = openQueue([{ name: 'old', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }]);
    expect(await q3.receive('old', { max: 10 })).toMatchObject([{ body: 'still here' }]);
  });

  it('refuses to load a corrupt file, naming it', async () => {
    const q1 = openQueue();
    await q1.send('work', [{ body: 'x' }]);
    await q1.close();
    await writeFile(file, '{"version":1,"queues":{"work":[{"id":');
    expect(() => new LocalQueue({ queues: WORK, file })).toThrow(file);
    expect(() => new LocalQueue({ queues: WORK, file })).toThrow(/corrupt/);

    await writeFile(file, JSON.stringify({ version: 1, queues: { work: [{ id: 'a' }] } }));
    expect(() => new LocalQueue({ queues: WORK, file })).toThrow(file);
  });

  it('loses nothing acknowledged when the process is killed (SIGKILL)', async () => {
    const { stdout, code } = await runChild('crash', file, { killOn: 'ready' });
    expect(stdout).toContain('ready');
    expect(code).toBeNull(); // killed, not exited

    const q = openQueue();
    const got = await q.receive('work', { max: 10 });
    expect(got.map((m) => m.body).sort()).toEqual(['received, not deleted', 'sent last']);
    expect(got.find((m) => m.body === 'received, not deleted')!.receiveCount).toBe(2);
  });
});

describe('LocalQueue (local specifics)', () => {
  let q: LocalQueue;
  beforeEach(() => {
    q = new LocalQueue({ queues: [{ name: 'fast', visibilityTimeoutSeconds: 0.2, maxReceiveCount: 3 }] });
  });
  afterEach(async () => {
    await q.close();
  });

  it('declares a dead-letter queue per queue', () => {
    expect(q.queueNames()).toEqual(['fast', 'fast-dlq']);
  });

  it('accepts sub-second visibility timeouts so tests can stay short', async () => {
    const [id] = await q.send('fast', [{ body: 'quick' }]);
    await q.receive('fast', { max: 1 });
    const again = await q.receive('fast', { max: 1, waitSeconds: 5 });
    expect(again).toMatchObject([{ id, receiveCount: 2 }]);
  });

  it('rejects a malformed receipt handle like SQS (ReceiptHandleIsInvalid)', async () => {
    const err = await q.delete('fast', 'not-a-handle').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalQueueError);
    expect((err as LocalQueueError).code).toBe('ReceiptHandleIsInvalid');
  });

  it('rejects changeVisibility on a message whose visibility already ran out (MessageNotInflight)', async () => {
    await q.send('fast', [{ body: 'x' }]);
    const [m] = await q.receive('fast', { max: 1, visibilityTimeoutSeconds: 0 });
    const err = await q.changeVisibility('fast', m!.receiptHandle, 5).catch((e: unknown) => e);
    expect((err as LocalQueueError).code).toBe('MessageNotInflight');
  });

  it('enforces the SQS batch payload limit (256 KiB)', async () => {
    const big = 'x'.repeat(100 * 1024);
    const err = await q.send('fast', [{ body: big }, { body: big }, { body: big }]).catch((e: unknown) => e);
    expect((err as LocalQueueError).code).toBe('BatchRequestTooLong');
    expect((await q.stats('fast')).depth).toBe(0);
  });

  it('reports the age of the oldest message', async () => {
    await q.send('fast', [{ body: 'aging' }]);
    let age = 0;
    for (let i = 0; i < 100 && age === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      age = (await q.stats('fast')).oldestAgeSeconds;
    }
    expect(age).toBeGreaterThan(0);
  });

  it('ends pending long polls with no messages on close and refuses work afterwards', async () => {
    const polling = q.receive('fast', { max: 1, waitSeconds: 20 });
    await q.close();
    expect(await polling).toEqual([]);
    await expect(q.send('fast', [{ body: 'late' }])).rejects.toThrow(/closed/);
  });

  it('does not keep the process alive after close() during a long poll', async () => {
    const { stdout, code } = await runChild('long-poll-close', join(await tempDir(), 'q.json'), {});
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('[]');
  });
});

// --- child processes: a real process death and a real exit ------------------------------------------------

const LOCAL_QUEUE = fileURLToPath(new URL('../../shared/adapters/queue/local-queue.ts', import.meta.url));

const CHILD = `
import { LocalQueue } from ${JSON.stringify(LOCAL_QUEUE)};
const [mode, file] = process.argv.slice(2);
const q = new LocalQueue({ queues: [{ name: 'work', visibilityTimeoutSeconds: 60, maxReceiveCount: 2 }], file });
if (mode === 'crash') {
  await q.send('work', [{ body: 'received, not deleted' }]);
  await q.receive('work', { max: 1 });
  await q.send('work', [{ body: 'sent last' }]);
  process.stdout.write('ready\\n');
  setInterval(() => {}, 1000); // alive until killed, never closed
} else {
  const polling = q.receive('work', { max: 1, waitSeconds: 20 });
  setTimeout(() => void q.close(), 100);
  process.stdout.write(JSON.stringify(await polling) + '\\n');
}
`;

/** Runs the child script; with killOn, SIGKILLs it once that text appears on stdout. Bounded at 15 s. */
async function runChild(mode: string, file: string, opts: { killOn?: string }): Promise<{ stdout: string; code: number | null }> {
  const script = join(await tempDir(), 'child.mts');
  await writeFile(script, CHILD);
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, file], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  const bound = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (opts.killOn && stdout.includes(opts.killOn)) child.kill('SIGKILL');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(bound);
  return { stdout, code };
}
