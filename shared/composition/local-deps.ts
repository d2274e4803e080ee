/**
 * The composition root of the local stack (infra/local/stack.ts) and of its function container threads
 * (infra/local/function-container.ts): the local stand-ins for AWS services come in built, the rest is what
 * AWS gets too (common-deps.ts). Its twin for Lambda is aws-deps.ts. Notifications go to the signed webhook
 * of NOTIFY_WEBHOOK_URL when one is set (and always to the log).
 */
import { WebhookNotifier } from '../adapters/notifier/webhook-notifier';
import { config } from '../config';
import type { Deps } from '../usecases/deps';
import { type ServiceAdapters, withDeviceClients } from './common-deps';

export function localDeps(services: Omit<ServiceAdapters, 'notifier'>): Deps {
  const webhook = config().notifications.webhook;
  return withDeviceClients({ ...services, ...(webhook ? { notifier: new WebhookNotifier(webhook) } : {}) });
}
