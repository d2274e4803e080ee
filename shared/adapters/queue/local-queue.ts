/**
 * The local stack's Queue: in-process queues with the SQS semantics the workers rely on (batches of 10,
 * delay, visibility timeout, redelivery with a receive count, dead-letter after maxReceiveCount, long poll,
 * stale receipt handles ignored on delete). Optionally persisted (a snapshot and an append-only journal,
 * queue-journal.ts) so queued work survives a restart. Deliberate differences from SQS: strict FIFO order, no
 * duplicate delivery, fractional seconds accepted (tests use sub-second timeouts), no 12-hour cap on total
 * visibility, one process per file.
 */
import { randomUUID } from 'node:crypto';
import { logger } from '../../observability/logger';
import { type OutgoingMessage, type Queue, type QueueStats, type ReceivedMessage, UnknownQueueError } from '../../ports/queue';
import { type JournalOp, QueueJournal, type StoredMessage } from './queue-journal';

/** One queue, with its dead-letter queue. */
export type LocalQueueDeclaration = {
  name: string;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** Dead-letter queue name, `<name>-dlq` unless given; declared automatically. */
  deadLetter?: string;
};

export type LocalQueueOptions = {
  queues: LocalQueueDeclaration[];
  /** File the queues are persisted to (and its journal beside it); in memory only when absent. */
  file?: string;
  /** Least journal size before compaction (bytes); tests make it small. */
  compactAfterBytes?: number;
  /** How long a burst of changes is gathered into one write (ms). */
  persistDebounceMs?: number;
};

/** SQS error codes, so the fake SQS server can answer with the real ones. */
export type LocalQueueErrorCode =
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchRequestTooLong'
  | 'InvalidParameterValue'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight';

export class LocalQueueError extends Error {
  constructor(
    readonly code: LocalQueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LocalQueueError';
  }
}

export type LocalQueueCounts = { visible: number; delayed: number; inFlight: number; oldestSentAt?: number };

// SQS quotas (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
const MAX_BATCH = 10;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_ATTRIBUTES = 10;
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_WAIT_SECONDS = 20;
const RETRY_FAILED_WRITE_MS = 1_000;

type Message = {
  id: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  /** Epoch ms from which the message can be received (delay or visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  /** Handle of the latest receive; older handles are stale. */
  receipt?: string;
};

type QueueState = {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  deadLetter?: string;
  messages: Map<string, Message>; // insertion order = delivery order
};

type Waiter = {
  queue: QueueState;
  max: number;
  visibilityTimeoutSeconds: number;
  deadline: number;
  resolve: (messages: ReceivedMessage[]) => void;
};

const RECEIPT = /^([0-9a-f-]{36})\.(\d+)\.([0-9a-f-]{36})$/;

export class LocalQueue implements Queue {
  private readonly queues = new Map<string, QueueState>();
  /** Messages of queues no longer declared: kept in the file rather than silently dropped. */
  private readonly orphans: Record<string, StoredMessage[]> = {};
  private waiters: Waiter[] = [];
  private wakeTimer?: NodeJS.Timeout;
  private closed = false;

  private readonly file?: string;
  private readonly journal?: QueueJournal;
  private readonly debounceMs: number;
  private changes = 0;
  private written = 0;
  private writeFailed = false;
  private flushTimer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private durableWaiters: { change: number; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(options: LocalQueueOptions) {
    this.file = options.file;
    this.journal = options.file ? new QueueJournal(options.file, options.compactAfterBytes) : undefined;
    this.debounceMs = options.persistDebounceMs ?? 20;
    for (const decl of options.queues) this.declare(decl);
    for (const decl of options.queues) {
      const dlq = decl.deadLetter ?? `${decl.name}-dlq`;
      if (!this.queues.has(dlq)) {
        this.declare({ name: dlq, visibilityTimeoutSeconds: decl.visibilityTimeoutSeconds, maxReceiveCount: 0 });
      }
      this.state(decl.name).deadLetter = dlq;
    }
    if (this.journal) this.load(this.journal);
  }

  /** Every declared queue, dead-letter queues included. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  async send(queue: string, messages: OutgoingMessage[]): Promise<string[]> {
    this.assertOpen();
    const q = this.state(queue);
    validateBatch(messages);
    const now = Date.now();
    const sent = messages.map((m): StoredMessage => {
      const visibleAt = now + (m.delaySeconds ?? 0) * 1000;
      return { id: randomUUID(), body: m.body, attributes: { ...m.attributes }, sentAt: now, visibleAt, receiveCount: 0 };
    });
    for (const m of sent) q.messages.set(m.id, { ...m });
    const ids = sent.map((m) => m.id);
    if (ids.length === 0) return ids;
    const change = this.changed(sent.map((m) => ({ op: 'send', q: q.name, m })));
    this.serveWaiters();
    // Like SQS, a send is acknowledged only once stored: a process dying after this loses nothing.
    await this.durable(change);
    return ids;
  }

  async receive(queue: string, opts: { max: number; visibilityTimeoutSeconds?: number; waitSeconds?: number }): Promise<ReceivedMessage[]> {
    this.assertOpen();
    const q = this.state(queue);
    const visibility = opts.visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds;
    const wait = opts.waitSeconds ?? 0;
    if (!Number.isInteger(opts.max) || opts.max < 1 || opts.max > MAX_BATCH) {
      throw new LocalQueueError('InvalidParameterValue', `max must be an integer from 1 to ${MAX_BATCH}`);
    }
    checkRange('visibilityTimeoutSeconds', visibility, MAX_VISIBILITY_SECONDS);
    checkRange('waitSeconds', wait, MAX_WAIT_SECONDS);
    const got = this.take(q, opts.max, visibility);
    if (got.length > 0 || wait === 0) return got;
    return new Promise((resolve) => {
      this.waiters.push({
        queue: q,
        max: opts.max,
        visibilityTimeoutSeconds: visibility,
        deadline: Date.now() + wait * 1000,
        resolve,
      });
      this.armWakeTimer();
    });
  }

  async delete(queue: string, receiptHandle: string): Promise<void> {
    this.assertOpen();
    const q = this.state(queue);
    const m = q.messages.get(messageIdOf(receiptHandle));
    // A stale handle (the message was received again since) is ignored, as SQS does.
    if (!m || m.receipt !== receiptHandle) return;
    q.messages.delete(m.id);
    this.changed([{ op: 'delete', q: q.name, id: m.id }]);
  }

  async changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    this.assertOpen();
    const q = this.state(queue);
    checkRange('visibilityTimeoutSeconds', visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS);
    const m = q.messages.get(messageIdOf(receiptHandle));
    if (!m || m.receipt !== receiptHandle) {
      throw new LocalQueueError(
        'InvalidParameterValue',
        'Message does not exist or is not available for visibility timeout change (stale receipt handle)',
      );
    }
    const now = Date.now();
    if (m.visibleAt <= now) throw new LocalQueueError('MessageNotInflight', 'Message is not in flight');
    // Not journaled: a restart makes every in-flight message visible at once anyway.
    m.visibleAt = now + visibilityTimeoutSeconds * 1000;
    if (visibilityTimeoutSeconds === 0) this.serveWaiters();
  }

  async stats(queue: string): Promise<QueueStats> {
    const q = this.state(queue);
    const c = this.counts(queue);
    const dlq = q.deadLetter ? this.queues.get(q.deadLetter) : undefined;
    return {
      depth: c.visible + c.delayed,
      inFlight: c.inFlight,
      oldestAgeSeconds: c.oldestSentAt === undefined ? 0 : Math.max(0, (Date.now() - c.oldestSentAt) / 1000),
      deadLetterDepth: dlq?.messages.size ?? 0,
    };
  }

  /** Local-only breakdown (visible vs delayed) for the fake SQS server and health views. */
  counts(queue: string): LocalQueueCounts {
    const q = this.state(queue);
    const now = Date.now();
    const c: LocalQueueCounts = { visible: 0, delayed: 0, inFlight: 0 };
    for (const m of q.messages.values()) {
      if (m.visibleAt <= now) c.visible++;
      else if (m.receiveCount > 0) c.inFlight++;
      else c.delayed++;
      if (c.oldestSentAt === undefined || m.sentAt < c.oldestSentAt) c.oldestSentAt = m.sentAt;
    }
    return c;
  }

  /** Ends pending long polls, writes what is not yet on disk and releases every timer. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.wakeTimer);
      for (const w of this.waiters) w.resolve([]);
      this.waiters = [];
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.writing;
    if (this.written < this.changes) await this.flush();
    if (this.writeFailed) throw new Error(`LocalQueue: could not write ${this.file}; see the logged error`);
    // A clean stop leaves one self-contained snapshot and an empty journal.
    if (this.journal?.hasJournal) await this.journal.commit(() => this.snapshot(), { compact: true });
    await this.journal?.close();
  }

  // --- delivery ---------------------------------------------------------------------------------------

  private take(q: QueueState, max: number, visibilityTimeoutSeconds: number): ReceivedMessage[] {
    const now = Date.now();
    const out: ReceivedMessage[] = [];
    const ops: JournalOp[] = [];
    for (const m of q.messages.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      // SQS moves a message on the receive that would exceed maxReceiveCount, not when the last one expires.
      if (q.deadLetter && q.maxReceiveCount > 0 && m.receiveCount >= q.maxReceiveCount) {
        ops.push(this.moveToDeadLetter(q, m));
        continue;
      }
      m.receiveCount++;
      ops.push({ op: 'receive', q: q.name, id: m.id, n: m.receiveCount });
      m.visibleAt = now + visibilityTimeoutSeconds * 1000;
      m.receipt = `${m.id}.${m.receiveCount}.${randomUUID()}`;
      out.push({
        id: m.id,
        body: m.body,
        receiptHandle: m.receipt,
        receiveCount: m.receiveCount,
        sentAt: m.sentAt,
        attributes: { ...m.attributes },
      });
    }
    if (ops.length) this.changed(ops);
    return out;
  }

  private moveToDeadLetter(q: QueueState, m: Message): JournalOp {
    const dlq = this.state(q.deadLetter!);
    q.messages.delete(m.id);
    // Keeps id, sentAt and receiveCount so an operator sees how often it failed; visible in the DLQ at once.
    const moved = { ...m, visibleAt: 0, receipt: undefined };
    dlq.messages.set(m.id, moved);
    logger.warn('Queue message moved to dead-letter queue', {
      queue: q.name,
      dead_letter_queue: dlq.name,
      message_id: m.id,
      receive_count: m.receiveCount,
    });
    // Someone may be long-polling the dead-letter queue; serve them after the current pass.
    if (this.waiters.some((w) => w.queue === dlq)) queueMicrotask(() => this.serveWaiters());
    return { op: 'dead_letter', q: q.name, to: dlq.name, m: stored(moved) };
  }

  /** Answers long polls that can now be served, expires those past their wait, and re-arms the timer. */
  private serveWaiters(): void {
    if (this.waiters.length === 0) return;
    const now = Date.now();
    const pending: Waiter[] = [];
    for (const w of this.waiters) {
      const got = this.take(w.queue, w.max, w.visibilityTimeoutSeconds);
      if (got.length > 0) w.resolve(got);
      else if (w.deadline <= now) w.resolve([]);
      else pending.push(w);
    }
    this.waiters = pending;
    this.armWakeTimer();
  }

  /** One timer for the next moment a waiter could be served: a message turning visible or a wait ending. */
  private armWakeTimer(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (this.waiters.length === 0) return;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const queues = new Set<QueueState>();
    for (const w of this.waiters) {
      next = Math.min(next, w.deadline);
      queues.add(w.queue);
    }
    for (const q of queues) {
      for (const m of q.messages.values()) if (m.visibleAt > now) next = Math.min(next, m.visibleAt);
    }
    this.wakeTimer = setTimeout(() => this.serveWaiters(), Math.max(0, next - now));
  }

  private state(name: string): QueueState {
    const q = this.queues.get(name);
    if (!q) throw new UnknownQueueError(name);
    return q;
  }

  private declare(decl: Omit<LocalQueueDeclaration, 'deadLetter'>): void {
    if (this.queues.has(decl.name)) throw new Error(`LocalQueue: queue '${decl.name}' is declared twice`);
    this.queues.set(decl.name, {
      name: decl.name,
      visibilityTimeoutSeconds: decl.visibilityTimeoutSeconds,
      maxReceiveCount: decl.maxReceiveCount,
      messages: new Map(),
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LocalQueue is closed');
  }

  // --- persistence ------------------------------------------------------------------------------------

  private load(journal: QueueJournal): void {
    for (const [name, messages] of journal.load()) {
      const q = this.queues.get(name);
      if (!q) {
        this.orphans[name] = [...messages.values()];
        logger.warn('Queue file holds messages of an undeclared queue; kept in the file', { queue: name, messages: messages.size });
        continue;
      }
      for (const m of messages.values()) {
        // The process that held an in-flight message is gone: it becomes visible at once, like an expiry.
        q.messages.set(m.id, { ...m, visibleAt: m.receiveCount > 0 ? 0 : m.visibleAt });
      }
    }
  }

  private snapshot(): Record<string, StoredMessage[]> {
    const queues: Record<string, StoredMessage[]> = { ...this.orphans };
    for (const q of this.queues.values()) queues[q.name] = [...q.messages.values()].map(stored);
    return queues;
  }

  /** Records a change and schedules its write; returns the change number `durable` can wait for. */
  private changed(ops: JournalOp[]): number {
    if (!this.journal) return 0;
    this.journal.add(ops);
    this.changes++;
    this.scheduleFlush();
    return this.changes;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.writing || this.closed) return;
    const delay = this.writeFailed ? RETRY_FAILED_WRITE_MS : this.debounceMs;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, delay);
  }

  private durable(change: number): Promise<void> {
    if (!this.file || this.written >= change) return Promise.resolve();
    return new Promise((resolve, reject) => this.durableWaiters.push({ change, resolve, reject }));
  }

  private flush(): Promise<void> {
    this.writing ??= this.writeLoop().finally(() => {
      this.writing = undefined;
      // Changes made while the last write was finishing still need one.
      if (this.written < this.changes) this.scheduleFlush();
    });
    return this.writing;
  }

  private async writeLoop(): Promise<void> {
    while (this.written < this.changes) {
      const upTo = this.changes;
      try {
        await this.journal!.commit(() => this.snapshot());
        this.written = upTo;
        this.writeFailed = false;
        this.settleDurable((w) => w.change <= upTo, undefined);
      } catch (err) {
        this.writeFailed = true;
        logger.error('LocalQueue: writing the queue file failed', { file: this.file, error: err as Error });
        this.settleDurable((w) => w.change <= upTo, err);
        return;
      }
    }
  }

  private settleDurable(match: (w: { change: number }) => boolean, err: unknown): void {
    const keep: typeof this.durableWaiters = [];
    for (const w of this.durableWaiters) {
      if (!match(w)) keep.push(w);
      else if (err) w.reject(err);
      else w.resolve();
    }
    this.durableWaiters = keep;
  }
}

/** A message as the file keeps it (no receipt: a restart makes in-flight messages visible again). */
const stored = ({ id, body, attributes, sentAt, visibleAt, receiveCount }: Message): StoredMessage => ({
  id,
  body,
  attributes,
  sentAt,
  visibleAt,
  receiveCount,
});

function validateBatch(messages: OutgoingMessage[]): void {
  if (messages.length > MAX_BATCH) {
    throw new LocalQueueError('TooManyEntriesInBatchRequest', `A batch holds at most ${MAX_BATCH} messages, got ${messages.length}`);
  }
  let bytes = 0;
  for (const [i, m] of messages.entries()) {
    if (m.body.length === 0) throw new LocalQueueError('InvalidParameterValue', `Message ${i}: body is empty`);
    const attrs = Object.entries(m.attributes ?? {});
    if (attrs.length > MAX_ATTRIBUTES) {
      throw new LocalQueueError('InvalidParameterValue', `Message ${i}: at most ${MAX_ATTRIBUTES} attributes`);
    }
    checkRange(`Message ${i}: delaySeconds`, m.delaySeconds ?? 0, MAX_DELAY_SECONDS);
    // SQS counts attribute names and values towards the payload size.
    bytes += Buffer.byteLength(m.body);
    for (const [k, v] of attrs) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new LocalQueueError('BatchRequestTooLong', `Batch payload is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
}

function checkRange(what: string, value: number, max: number): void {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new LocalQueueError('InvalidParameterValue', `${what} must be from 0 to ${max}, got ${value}`);
  }
}

function messageIdOf(receiptHandle: string): string {
  const match = RECEIPT.exec(receiptHandle);
  if (!match) throw new LocalQueueError('ReceiptHandleIsInvalid', 'The receipt handle is not valid');
  return match[1]!;
}
