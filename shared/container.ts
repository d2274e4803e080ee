/**
 * The composition root. In AWS the adapters are built from config on first use and kept for the life of the
 * container (clients at module scope, as in Powertools' examples). The local stack and tests build their own
 * (embedded DynamoDB, in-process queues and workflows) and hand them over with provideDeps() before the first
 * request, so the handlers and use cases run unchanged in both.
 */
import type { Deps } from './usecases/deps';

let current: Deps | undefined;
let building: Promise<Deps> | undefined;

export async function deps(): Promise<Deps> {
  if (current) return current;
  building ??= import('./composition/aws-deps').then(({ awsDeps }) => (current = awsDeps()));
  return building;
}

export function provideDeps(d: Deps): void {
  current = d;
  building = undefined;
}
