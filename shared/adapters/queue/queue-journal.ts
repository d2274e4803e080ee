/**
 * The local queue's file: a snapshot (`<file>`, JSON, replaced atomically) plus an append-only journal of the
 * changes since (`<file>.<random>.journal`, one JSON line each, named by the snapshot). A change costs one
 * appended line and one fdatasync, whatever the backlog (rewriting the whole file made every send take
 * 0.3–0.6 s behind 40,000 messages). Once the journal outgrows the snapshot (and a minimum size), and on a
 * clean close, the snapshot is rewritten and a fresh journal started: compaction, paid at most once per
 * snapshot's worth of appends. Crash-safe: the new journal exists before the snapshot naming it, the old one is
 * removed after; a torn last line (the process died mid-append, before the change was acknowledged) is
 * ignored; every operation sets absolute values, so replaying a line twice changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../lib/atomic-file';
import { logger } from '../../observability/logger';

export const StoredMessage = z.object({
  id: z.string(),
  body: z.string(),
  attributes: z.record(z.string(), z.string()),
  sentAt: z.number(),
  visibleAt: z.number(),
  receiveCount: z.number().int().nonnegative(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

/** One change, with absolute values only. */
export const JournalOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('send'), q: z.string(), m: StoredMessage }),
  z.object({ op: z.literal('receive'), q: z.string(), id: z.string(), n: z.number().int().positive() }),
  z.object({ op: z.literal('delete'), q: z.string(), id: z.string() }),
  z.object({ op: z.literal('dead_letter'), q: z.string(), to: z.string(), m: StoredMessage }),
]);
export type JournalOp = z.infer<typeof JournalOp>;

const Snapshot = z.union([
  z.object({ version: z.literal(1), queues: z.record(z.string(), z.array(StoredMessage)) }),
  z.object({
    version: z.literal(2),
    journal: z.string().regex(/^[^/\\]+\.journal$/),
    queues: z.record(z.string(), z.array(StoredMessage)),
  }),
]);

/** Every queue's messages in delivery order, by queue name (declared or not). */
export type QueueContents = Map<string, Map<string, StoredMessage>>;

/** The journal's default minimum size before compaction (it also waits for the journal to outgrow the snapshot). */
const COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

export class QueueJournal {
  private journal?: string;
  private handle?: FileHandle;
  private pending: string[] = [];
  private journalBytes = 0;
  private snapshotBytes = 0;
  /** A write failed part-way: the next one writes a whole snapshot, so nothing depends on what reached the journal. */
  private mustCompact = false;

  constructor(
    private readonly file: string,
    private readonly compactAfterBytes = COMPACT_AFTER_BYTES,
  ) {}

  /** Reads the snapshot and replays its journal; removes journals left by a compaction that crashed. */
  load(): QueueContents {
    const contents: QueueContents = new Map();
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return contents;
      throw new Error(`LocalQueue: cannot read queue file ${this.file}: ${(err as Error).message}`);
    }
    const snapshot = parseOrExplain(this.file, () => Snapshot.parse(JSON.parse(raw)));
    this.snapshotBytes = Buffer.byteLength(raw);
    for (const [name, messages] of Object.entries(snapshot.queues)) contents.set(name, new Map(messages.map((m) => [m.id, m])));
    if (snapshot.version === 2) {
      this.journal = join(dirname(this.file), snapshot.journal);
      this.replay(contents);
    }
    this.removeStrayJournals();
    return contents;
  }

  /** Buffers changes for the next `commit`. */
  add(ops: JournalOp[]): void {
    for (const op of ops) this.pending.push(`${JSON.stringify(op)}\n`);
  }

  /**
   * Makes every buffered change durable: appended and synced, or, when compaction is due, the whole state
   * (`snapshot`, taken now, so it holds exactly the buffered changes) written as the new snapshot.
   */
  async commit(snapshot: () => Record<string, StoredMessage[]>, opts: { compact?: boolean } = {}): Promise<void> {
    const lines = this.pending.splice(0);
    const due =
      this.mustCompact ||
      !this.journal ||
      opts.compact ||
      (this.journalBytes >= this.compactAfterBytes && this.journalBytes > this.snapshotBytes);
    if (due) return this.compact(snapshot());
    if (!lines.length) return;
    try {
      this.handle ??= await open(this.journal!, 'a', 0o600);
      const data = lines.join('');
      await this.handle.write(data);
      await this.handle.datasync();
      this.journalBytes += Buffer.byteLength(data);
    } catch (err) {
      this.mustCompact = true;
      throw err;
    }
  }

  /** Whether anything was appended since the last snapshot (a clean close compacts then). */
  get hasJournal(): boolean {
    return this.journalBytes > 0 || this.pending.length > 0;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async compact(queues: Record<string, StoredMessage[]>): Promise<void> {
    const next = `${this.file}.${randomBytes(6).toString('hex')}.journal`;
    try {
      // The journal first: a snapshot must never name a journal that is not there.
      await mkdir(dirname(this.file), { recursive: true });
      await (await open(next, 'wx', 0o600)).close();
      const data = JSON.stringify({ version: 2, journal: basename(next), queues });
      await writeFileAtomic(this.file, data);
      this.snapshotBytes = Buffer.byteLength(data);
    } catch (err) {
      this.mustCompact = true;
      await rm(next, { force: true });
      throw err;
    }
    const old = this.journal;
    await this.handle?.close();
    this.handle = undefined;
    this.journal = next;
    this.journalBytes = 0;
    this.mustCompact = false;
    if (old) await rm(old, { force: true });
  }

  private replay(contents: QueueContents): void {
    let text: string;
    try {
      text = readFileSync(this.journal!, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      logger.warn('LocalQueue: the journal the queue file names is missing; starting from the snapshot', { file: this.journal });
      closeSync(openSync(this.journal!, 'a', 0o600));
      return;
    }
    this.journalBytes = Buffer.byteLength(text);
    const lines = text.split('\n');
    // What follows the last newline is a line whose append never finished: its change was never acknowledged.
    const torn = lines.pop();
    if (torn) logger.warn('LocalQueue: ignoring a torn last line of the queue journal', { file: this.journal, bytes: torn.length });
    for (const [i, line] of lines.entries()) {
      const op = parseOrExplain(`${this.journal} line ${i + 1}`, () => JournalOp.parse(JSON.parse(line)));
      apply(contents, op);
    }
  }

  private removeStrayJournals(): void {
    const dir = dirname(this.file);
    const prefix = `${basename(this.file)}.`;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.journal') && join(dir, name) !== this.journal)
        rmSync(join(dir, name), { force: true });
    }
  }
}

function apply(contents: QueueContents, op: JournalOp): void {
  const queue = (name: string) => contents.get(name) ?? contents.set(name, new Map()).get(name)!;
  if (op.op === 'send') queue(op.q).set(op.m.id, op.m);
  else if (op.op === 'delete') queue(op.q).delete(op.id);
  else if (op.op === 'dead_letter') {
    queue(op.q).delete(op.m.id);
    queue(op.to).set(op.m.id, op.m);
  } else {
    const m = queue(op.q).get(op.id);
    if (m) m.receiveCount = op.n;
  }
}

function parseOrExplain<T>(where: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const issue = err instanceof z.ZodError ? err.issues[0] : undefined;
    const reason = issue ? `${issue.path.join('.')}: ${issue.message}` : (err as Error).message;
    throw new Error(`LocalQueue: queue file ${where} is corrupt (${reason}); move it aside to start with empty queues`);
  }
}
