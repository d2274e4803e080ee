/**
 * Queue: the managed queues between the API and the worker pools (SQS in AWS, an in-process queue with
 * the same semantics locally: visibility timeout, redelivery, dead-letter after N receives, batches).
 */
export type OutgoingMessage = {
  body: string;
  /** Seconds before the message becomes visible (SQS DelaySeconds, 0–900). */
  delaySeconds?: number;
  attributes?: Record<string, string>;
};

export type ReceivedMessage = {
  id: string;
  body: string;
  /** Handle for delete/changeVisibility; valid only for this receive. */
  receiptHandle: string;
  /** How many times this message has been received, this receive included. */
  receiveCount: number;
  sentAt: number;
  attributes: Record<string, string>;
};

export type QueueStats = {
  /** Messages waiting to be received (visible now or delayed). */
  depth: number;
  /** Messages received and not yet deleted. */
  inFlight: number;
  /** Age in seconds of the oldest message not yet deleted, 0 when empty. */
  oldestAgeSeconds: number;
  deadLetterDepth: number;
};

export interface Queue {
  /** Sends up to 10 messages per call (SQS batch limit); returns their ids in order. */
  send(queue: string, messages: OutgoingMessage[]): Promise<string[]>;
  /** Receives up to `max` (1–10) messages, hiding them for `visibilityTimeoutSeconds`; waits up to `waitSeconds` for one. */
  receive(queue: string, opts: { max: number; visibilityTimeoutSeconds?: number; waitSeconds?: number }): Promise<ReceivedMessage[]>;
  delete(queue: string, receiptHandle: string): Promise<void>;
  changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>;
  stats(queue: string): Promise<QueueStats>;
}

export class UnknownQueueError extends Error {
  constructor(readonly queue: string) {
    super(`Unknown queue '${queue}'`);
    this.name = 'UnknownQueueError';
  }
}
