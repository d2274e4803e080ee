import {
  discardVersion,
  emptyStaged,
  promoteVersion,
  putCurrent,
  putPendingVersion,
  removeSecret,
} from '../../shared/adapters/secrets/staging';
import type { Clock } from '../../shared/ports/clock';
import type { OutgoingMessage, Queue } from '../../shared/ports/queue';
import { SecretNotFoundError, type Secrets } from '../../shared/ports/secrets';
import { FakeVCenter } from './fake-vcenter';
import { MemoryStore } from './memory-store';

/** In-memory Secrets for unit tests of use cases (the real adapters have their own contract suite). */
export class MemorySecrets implements Secrets {
  readonly state = emptyStaged();
  /** Current values by ref, for assertions. */
  get values(): Map<string, string> {
    return new Map(Object.entries(this.state.secrets));
  }
  async put(ref: string, value: string) {
    putCurrent(this.state, ref, value);
  }
  async get(ref: string) {
    const v = this.state.secrets[ref];
    if (v === undefined) throw new SecretNotFoundError(ref);
    return v;
  }
  async delete(ref: string) {
    removeSecret(this.state, ref);
  }
  async putPending(ref: string, versionId: string, value: string) {
    putPendingVersion(this.state, ref, versionId, value);
  }
  async getPending(ref: string) {
    return this.state.pending[ref];
  }
  async promotePending(ref: string, versionId: string) {
    promoteVersion(this.state, ref, versionId);
  }
  async discardPending(ref: string, versionId: string) {
    discardVersion(this.state, ref, versionId);
  }
  /** Refs put on the rotation schedule. */
  readonly scheduled = new Set<string>();
  async scheduleRotation(ref: string) {
    this.scheduled.add(ref);
  }
  /** Names as Secrets Manager passes them to a rotation function: an ARN around the ref. */
  async refOf(secretId: string) {
    return secretId.replace(/^arn:secret:/, '');
  }
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-11-23T10:00:00Z')) {}
  now() {
    return this.t;
  }
  advance(ms: number) {
    this.t += ms;
  }
  /** Time passes at once. */
  async sleep(ms: number) {
    this.t += ms;
  }
}

/** The Queue port, faked: keeps what was sent. */
export class RecordingQueue implements Partial<Queue> {
  readonly sent: { queue: string; message: OutgoingMessage }[] = [];
  async send(queue: string, messages: OutgoingMessage[]) {
    for (const message of messages) this.sent.push({ queue, message });
    return messages.map((_, i) => `m-${this.sent.length}-${i}`);
  }
}

export const unitDeps = () => ({
  store: new MemoryStore(),
  queue: new RecordingQueue() as Partial<Queue> as Queue,
  secrets: new MemorySecrets(),
  clock: new ManualClock(),
  verifiers: {},
  vcenter: new FakeVCenter(),
});
