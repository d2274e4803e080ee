/**
 * The local stack's JWT signing key: created on first use under `<dataDir>/auth/` (0600), so tokens from
 * `npm run token` keep working across restarts. In AWS, API Gateway's JWT authorizer checks tokens from the
 * real identity provider instead; nothing here is deployed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';

/** The signing algorithm of the local stack's tokens. */
export const ALG = 'ES256';

export type SigningKey = { privateKey: CryptoKey; publicJwk: JWK };

export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const dir = join(dataDir, 'auth');
  const file = join(dir, 'jwt-signing-key.pem');
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    pem = await exportPKCS8(privateKey);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // 'wx' so two processes starting at once cannot overwrite each other's key.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      pem = await readFile(file, 'utf8');
    });
  }
  const privateKey = await importPKCS8(pem, ALG, { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  return { privateKey, publicJwk };
}
