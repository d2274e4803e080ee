/**
 * Notifications to a webhook (the local stack; NOTIFY_WEBHOOK_URL): a JSON POST signed with HMAC-SHA256 over
 * `<timestamp>.<body>` with NOTIFY_WEBHOOK_SECRET, sent as `x-eio-signature: sha256=<hex>` beside
 * `x-eio-timestamp` (seconds), so a receiver can check who sent it and refuse a replay. One attempt with a
 * deadline: the caller logs a failure, and the log always has the notification.
 */
import { createHmac } from 'node:crypto';
import type { Notification, Notifier } from '../../ports/notifier';

export const SIGNATURE_HEADER = 'x-eio-signature';
export const TIMESTAMP_HEADER = 'x-eio-timestamp';

/** The signature a receiver recomputes: hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export const signPayload = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export class WebhookNotifier implements Notifier {
  constructor(private readonly options: { url: string; secret: string; timeoutMs?: number; now?: () => number }) {}

  async notify(n: Notification): Promise<void> {
    const body = JSON.stringify(n);
    const timestamp = String(Math.floor((this.options.now?.() ?? Date.now()) / 1000));
    const res = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signPayload(this.options.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}
