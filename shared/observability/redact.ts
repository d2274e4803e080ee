/**
 * Secrets must never reach a log line or a response. Values under these keys are replaced wherever they
 * appear, however deeply nested; the test "no secret leaks" proves it end to end.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential|private_?key|x-auth-token/i;
// Correlation and pagination fields match the pattern but are not secrets.
const NOT_SECRET = new Set(['next_token', 'idempotency_token', 'secret_ref', 'has_secret', 'secret_version']);

export const REDACTED = '[REDACTED]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && !NOT_SECRET.has(k) && v !== undefined ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
