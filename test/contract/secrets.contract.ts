import { beforeEach, describe, expect, it } from 'vitest';
import { SecretNotFoundError, type Secrets } from '../../shared/ports/secrets';

/**
 * The behaviour every Secrets adapter owes its callers. Each adapter's test file calls this with a factory that
 * returns a fresh, empty store per test.
 */
export function secretsContract(label: string, fresh: () => Promise<Secrets>): void {
  describe(`Secrets contract: ${label}`, () => {
    let secrets: Secrets;
    beforeEach(async () => {
      secrets = await fresh();
    });

    const expectNotFound = async (ref: string) => {
      const err = await secrets.get(ref).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SecretNotFoundError);
      expect((err as SecretNotFoundError).ref).toBe(ref);
    };

    it('returns what was put', async () => {
      await secrets.put('si-001', 'calvin');
      expect(await secrets.get('si-001')).toBe('calvin');
    });

    it('round-trips unicode and characters that need escaping', async () => {
      const value = 'pässwörd-密码-пароль-🔑-\u0301e-שלום "quoted" \\ back\nslash\ttab\u0000nul';
      await secrets.put('si-unicode', value);
      expect(await secrets.get('si-unicode')).toBe(value);
    });

    it('round-trips a 4 KB value exactly', async () => {
      const value = Array.from({ length: 4096 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join('');
      await secrets.put('si-big', value);
      const got = await secrets.get('si-big');
      expect(got).toHaveLength(4096);
      expect(got).toBe(value);
    });

    it('put over an existing secret replaces its value (rotation)', async () => {
      await secrets.put('si-001', 'old-password');
      await secrets.put('si-001', 'new-password');
      expect(await secrets.get('si-001')).toBe('new-password');
    });

    it('get of a secret never put throws SecretNotFoundError', async () => {
      await expectNotFound('si-missing');
    });

    it('delete makes get throw SecretNotFoundError', async () => {
      await secrets.put('si-001', 'calvin');
      expect(await secrets.get('si-001')).toBe('calvin');
      await secrets.delete('si-001');
      await expectNotFound('si-001');
    });

    it('deleting a missing secret is harmless and leaves others alone', async () => {
      await secrets.put('si-keep', 'kept');
      await expect(secrets.delete('si-never-existed')).resolves.toBeUndefined();
      expect(await secrets.get('si-keep')).toBe('kept');
    });

    it('deleting twice is harmless', async () => {
      await secrets.put('si-001', 'calvin');
      await secrets.delete('si-001');
      await expect(secrets.delete('si-001')).resolves.toBeUndefined();
      await expectNotFound('si-001');
    });

    it('put after delete stores the new value', async () => {
      await secrets.put('si-001', 'first');
      await secrets.delete('si-001');
      await secrets.put('si-001', 'second');
      expect(await secrets.get('si-001')).toBe('second');
    });

    it('secrets are independent of each other', async () => {
      await secrets.put('si-a', 'alpha');
      await secrets.put('si-b', 'bravo');
      await secrets.delete('si-a');
      await expectNotFound('si-a');
      expect(await secrets.get('si-b')).toBe('bravo');
    });

    it('20 concurrent puts of different secrets are all readable afterwards', async () => {
      const refs = Array.from({ length: 20 }, (_, i) => `si-${String(i).padStart(3, '0')}`);
      await Promise.all(refs.map((ref) => secrets.put(ref, `password-of-${ref}`)));
      const values = await Promise.all(refs.map((ref) => secrets.get(ref)));
      expect(values).toEqual(refs.map((ref) => `password-of-${ref}`));
    });

    it('concurrent puts of one secret leave exactly one of the written values', async () => {
      const written = Array.from({ length: 10 }, (_, i) => `candidate-${i}`);
      await Promise.all(written.map((v) => secrets.put('si-race', v)));
      const final = await secrets.get('si-race');
      expect(written).toContain(final);
      expect(await secrets.get('si-race')).toBe(final);
    });

    it('a get racing a put does not make the old value stick', async () => {
      await secrets.put('si-001', 'old-password');
      const [during] = await Promise.all([secrets.get('si-001'), secrets.put('si-001', 'new-password')]);
      expect(['old-password', 'new-password']).toContain(during);
      expect(await secrets.get('si-001')).toBe('new-password');
    });
  });
}
