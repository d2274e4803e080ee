/** The CLI's one way to call EIO: the profile's URL and token, JSON in and out, EIO's error body turned into a message. */
import { type Profile, tokenFor } from './profile';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const details = e?.details ? ` ${JSON.stringify(e.details)}` : '';
    super(`${status} ${e?.code ?? ''}: ${e?.message ?? JSON.stringify(body)}${details}`.replace(' : ', ': '));
  }
}

export type Client = { call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> };

export function clientFor(profile: Profile): Client {
  let token: string | undefined;
  let tokenRead = false;
  return {
    async call(method, path, body) {
      if (!tokenRead) {
        token = tokenFor(profile);
        tokenRead = true;
      }
      const res = await fetch(new URL(path, profile.url), {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      const parsed = text ? JSON.parse(text) : undefined;
      if (!res.ok) throw new ApiError(res.status, parsed);
      return parsed;
    },
  };
}

/** `?a=1&b=2` of the parameters that are set, or nothing. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.size ? `?${q}` : '';
}

/** One path segment: ids such as `idrac:10.0.0.9` or a job id stay one segment. */
export const seg = (id: string) => encodeURIComponent(id);
