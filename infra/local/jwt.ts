import { errors, importJWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { ALG, type SigningKey } from './signing-key';

export type TokenSettings = { issuer: string; audience: string; roleClaim: string };

export async function issueToken(
  key: SigningKey,
  settings: TokenSettings,
  opts: { role: string; subject: string; ttlSeconds: number },
): Promise<string> {
  return new SignJWT({ [settings.roleClaim]: opts.role })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(opts.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + opts.ttlSeconds)
    .sign(key.privateKey);
}

/** Imported once per signing key: importing costs more than verifying, on every request. */
const imported = new WeakMap<SigningKey, ReturnType<typeof importJWK>>();
function publicKeyOf(key: SigningKey): ReturnType<typeof importJWK> {
  let publicKey = imported.get(key);
  if (!publicKey) {
    publicKey = importJWK(key.publicJwk, ALG);
    imported.set(key, publicKey);
  }
  return publicKey;
}

export type VerifyResult = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

/**
 * What API Gateway's JWT authorizer does, with a reason an operator can act on for every refusal
 * (the runbook's "invalid token" / "token expired"): missing, malformed, wrongly signed, expired.
 */
export async function verifyAuthorization(header: string | undefined, key: SigningKey, settings: TokenSettings): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: 'Missing Authorization header; send "Authorization: Bearer <token>"' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return { ok: false, reason: 'Authorization header must be "Bearer <token>"' };
  const token = m[1]!;
  try {
    const publicKey = await publicKeyOf(key);
    const { payload } = await jwtVerify(token, publicKey, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [ALG],
      requiredClaims: ['exp', 'sub'],
    });
    return { ok: true, claims: payload };
  } catch (e) {
    if (e instanceof errors.JWTExpired)
      return { ok: false, reason: `Token expired at ${new Date(Number(e.payload.exp) * 1000).toISOString()}` };
    if (e instanceof errors.JWSSignatureVerificationFailed)
      return { ok: false, reason: 'Token signature is invalid (not signed by this EIO instance)' };
    if (e instanceof errors.JWTClaimValidationFailed)
      return {
        ok: false,
        reason: e.reason === 'missing' ? `Token has no '${e.claim}' claim` : `Token claim '${e.claim}' is invalid: ${e.reason}`,
      };
    if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported)
      return { ok: false, reason: `Token algorithm is not accepted; ${ALG} is required` };
    return { ok: false, reason: 'Token is malformed (not a signed JWT)' };
  }
}
