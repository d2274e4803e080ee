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
    describe('rotation staging (pending beside current)', () => {
      const V1 = 'rotation-version-00000000000000000001';
      const V2 = 'rotation-version-00000000000000000002';

      it('a pending version leaves the current value in use until it is promoted', async () => {
        await secrets.put('si-rot', 'old-password');
        await secrets.putPending('si-rot', V1, 'new-password');
        expect(await secrets.get('si-rot')).toBe('old-password');
        expect(await secrets.getPending('si-rot')).toEqual({ versionId: V1, value: 'new-password' });
        await secrets.promotePending('si-rot', V1);
        expect(await secrets.get('si-rot')).toBe('new-password');
        expect(await secrets.getPending('si-rot')).toBeUndefined();
      });

      it('every step can be repeated after a crash: the same pending version twice, promotion twice', async () => {
        await secrets.put('si-rot', 'old-password');
        await secrets.putPending('si-rot', V1, 'new-password');
        await secrets.putPending('si-rot', V1, 'new-password');
        await secrets.promotePending('si-rot', V1);
        await secrets.promotePending('si-rot', V1);
        expect(await secrets.get('si-rot')).toBe('new-password');
        expect(await secrets.getPending('si-rot')).toBeUndefined();
      });

      it('discarding the pending version keeps the current one; discarding again is harmless', async () => {
        await secrets.put('si-rot', 'old-password');
        await secrets.putPending('si-rot', V1, 'new-password');
        await secrets.discardPending('si-rot', V1);
        await secrets.discardPending('si-rot', V1);
        expect(await secrets.get('si-rot')).toBe('old-password');
        expect(await secrets.getPending('si-rot')).toBeUndefined();
        await expect(secrets.promotePending('si-rot', V1)).rejects.toBeInstanceOf(SecretNotFoundError);
        expect(await secrets.get('si-rot')).toBe('old-password');
      });

      it('a newer pending version replaces an older one, and discarding the older one then changes nothing', async () => {
        await secrets.put('si-rot', 'old-password');
        await secrets.putPending('si-rot', V1, 'first-try');
        await secrets.putPending('si-rot', V2, 'second-try');
        expect(await secrets.getPending('si-rot')).toEqual({ versionId: V2, value: 'second-try' });
        await secrets.discardPending('si-rot', V1);
        expect(await secrets.getPending('si-rot')).toEqual({ versionId: V2, value: 'second-try' });
      });

      it('a secret without a pending version has none; deleting a secret drops its pending version', async () => {
        await secrets.put('si-rot', 'old-password');
        expect(await secrets.getPending('si-rot')).toBeUndefined();
        await secrets.putPending('si-rot', V1, 'new-password');
        await secrets.delete('si-rot');
        await expectNotFound('si-rot');
        await secrets.put('si-rot', 'fresh');
        expect(await secrets.getPending('si-rot')).toBeUndefined();
      });
    });
  });
}
