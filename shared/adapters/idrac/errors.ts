import { IdracError, IdracHttpError } from '../../ports/idrac';

type Phase = 'connect' | 'request';

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);
const TLS_VERSION =
  /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|WRONG_VERSION_NUMBER|LEGACY_SIGALG|NO_SHARED_CIPHER|HANDSHAKE_FAILURE/;

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/**
 * Maps whatever undici, Node's TLS layer or the connector threw onto the port's error codes. The message
 * names the endpoint and what failed, never a header (credentials live there).
 */
export function toIdracError(error: unknown, address: string, context: { phase?: Phase; method?: string; path?: string } = {}): IdracError {
  if (error instanceof IdracError) return error;
  const codes = codesOf(error);
  const code = codes[0] ?? '';
  const where = context.method ? ` (${context.method} ${context.path ?? ''})` : '';
  const text = error instanceof Error ? error.message : String(error);
  const details = { cause_code: code || undefined, ...(context.path ? { method: context.method, path: context.path } : {}) };
  const make = (kind: IdracError['code'], message: string, extra: Record<string, unknown> = {}) =>
    new IdracError(kind, message, address, { ...details, ...extra }, { cause: error });

  if (codes.some((c) => UNREACHABLE.has(c))) return make('unreachable', `iDRAC ${address} is unreachable${where}: ${code}`);
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT') || codes.includes('ETIMEDOUT')) {
    return make('timeout', `iDRAC ${address}: connection timed out${where}`, { phase: 'connect' });
  }
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT'))
    return make('timeout', `iDRAC ${address} did not answer in time${where}`, { phase: 'headers' });
  if (codes.includes('UND_ERR_BODY_TIMEOUT'))
    return make('timeout', `iDRAC ${address} stopped sending its answer${where}`, { phase: 'body' });
  if (codes.some((c) => RESET.has(c))) return make('connection_reset', `iDRAC ${address} closed the connection${where}: ${code}`);
  if (codes.some((c) => c.startsWith('HPE_')))
    return make('malformed_response', `iDRAC ${address} sent an invalid HTTP response${where}: ${code}`);
  if (codes.some((c) => TLS_VERSION.test(c) || c.startsWith('ERR_SSL_'))) {
    return make(
      'tls_handshake',
      `iDRAC ${address}: TLS handshake failed (${code}); if it only speaks TLS 1.0/1.1, mark the endpoint legacy`,
    );
  }
  if (codes.some((c) => c.startsWith('ERR_TLS_') || /CERT|SELF_SIGNED|UNABLE_TO/.test(c))) {
    return make('certificate_untrusted', `iDRAC ${address}: certificate not trusted (${code})`, { reason: code });
  }
  return make('connection_reset', `iDRAC ${address}: request failed${where}: ${text}`);
}

/** Worth another attempt of an idempotent request: the request may never have been handled. */
export function isRetryable(error: Error): boolean {
  if (!(error instanceof IdracError)) return false;
  if (error instanceof IdracHttpError) return error.status >= 500 || error.status === 429;
  if (error.code === 'timeout') return error.details.phase === 'connect';
  return error.code === 'unreachable' || error.code === 'connection_reset';
}

/** A sign the endpoint is unwell, counted by its circuit breaker. Answers like 401/404 are not. */
export function isEndpointFailure(error: Error): boolean {
  if (!(error instanceof IdracError)) return false;
  if (error instanceof IdracHttpError) return error.status >= 500 || error.status === 429;
  return error.code === 'unreachable' || error.code === 'connection_reset' || error.code === 'timeout';
}
