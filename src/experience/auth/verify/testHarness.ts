/**
 * FOR TESTS ONLY. A store with a real signing key, a kv on the chosen backend (plus peers that behave like
 * other processes' kv clients: on Redis a second connection set with the same prefix, embedded a second kv
 * instance on the same store), token minting with the provider's key material, and verifiers that are closed
 * with the harness.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../../../../test/support/backends.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { deleteRedisKeys } from '../../../../test/support/redisKeys.ts';
import type { Kv } from '../../../data/kv/port.ts';
import { createRedisKv } from '../../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../../data/kv/sqlite/sqliteKv.ts';
import type { Store } from '../../../data/store/port.ts';
import { ensureSigningKey, type Jwk, loadKeySet } from '../keys/signingKeys.ts';
import { type MintProps, mintAccessToken } from './tokenMinting.ts';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './tokenVerifier.ts';

export { eventually };

/** Issuer and audience of harness tokens (as issuerOf / GALLEY_API_AUDIENCE derive them from publicUrl). */
export const TEST_ISSUER = 'http://galley.test/oauth';
export const TEST_AUDIENCE = 'http://galley.test/api';

/** What a verifier test needs. */
export interface VerifyHarness {
  readonly store: Store;
  readonly secret: string;
  /** The kv the first verifier and the deny helpers use. */
  readonly kv: Kv;
  /** Another client of the same kv data, as a second process would open. */
  openPeerKv(): Kv;
  /** The current private signing key (re-read, so it follows rotations). */
  currentKey(): Promise<Jwk>;
  /** A token signed with `key` (default: the current key) for the harness issuer and audience. */
  mint(props?: Partial<MintProps> & { readonly key?: Jwk }): Promise<string>;
  /** A verifier over `kv` (default: the harness kv) reading keys from the store; closed by cleanup. */
  newVerifier(overrides?: Partial<TokenVerifierOptions>): TokenVerifier;
  cleanup(): Promise<void>;
}

/** Opens a harness on `backend`. */
export async function openVerifyHarness(backend: Backend): Promise<VerifyHarness> {
  const t = await openTestStore(backend);
  const secret = randomBytes(32).toString('base64url');
  await ensureSigningKey(t.store, secret);
  const prefix = uniqueName('verify');
  const openKv = (): Kv =>
    backend === 'embedded' ? createSqliteKv(t.store) : createRedisKv({ url: TEST_REDIS_URL, prefix });
  const kv = openKv();
  const kvs: Kv[] = [kv];
  const verifiers: TokenVerifier[] = [];
  const keys = async () => (await loadKeySet(t.store, secret)).jwks;
  const currentKey = async (): Promise<Jwk> => {
    const [key] = (await loadKeySet(t.store, secret)).signing;
    assert.ok(key, 'a current signing key');
    return key;
  };

  return {
    store: t.store,
    secret,
    kv,
    openPeerKv() {
      const peer = openKv();
      kvs.push(peer);
      return peer;
    },
    currentKey,
    async mint(props = {}) {
      const key = props.key ?? (await currentKey());
      return mintAccessToken(key, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, ...props });
    },
    newVerifier(overrides = {}) {
      const verifier = createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys, kv, ...overrides });
      verifiers.push(verifier);
      return verifier;
    },
    async cleanup() {
      await Promise.all(verifiers.map((v) => v.close()));
      await Promise.all(kvs.map((k) => k.close()));
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}:*`);
    },
  };
}

/** Resolves to the rejection reason of `promise` (its `reason` field, or the error itself). */
export async function rejectionReason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'reason' in error ? error.reason : error;
  }
  return assert.fail('expected a rejection');
}
