/**
 * ES256 signing keys for access and ID tokens, kept in the store with the private half sealed under a key
 * derived from the master secret. Exactly one key is current (not retired); `rotateSigningKey` makes a new one
 * current and retires the old one, which stays in the published JWKS for `keepRetiredMs` (longer than the
 * longest token lifetime) so tokens it signed still verify.
 */

import type { JsonWebKey } from 'node:crypto';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../../../data/store/port.ts';
import { deriveKey, seal, unseal } from '../secrets.ts';

/** Row of `signing_keys` (migration 0006). */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk_sealed: string;
  public_jwk: string;
  created_at: string;
  retired_at: string | null;
}

type KeyTables = { signing_keys: SigningKeysTable };

/** A JWK with its id and algorithm. */
export type Jwk = JsonWebKey & { readonly kid: string; readonly alg: string; readonly use: 'sig' };

/** The keys a process signs and verifies with. */
export interface KeySet {
  /** Private keys, current first (oidc-provider signs with the first key of an algorithm). */
  readonly signing: readonly Jwk[];
  /** Public JWKS: the current key and retired keys still inside their keep window. */
  readonly jwks: { readonly keys: readonly Jwk[] };
}

/** Retired keys stay published this long by default: well past the 5-minute access token and 1-hour ID token. */
export const DEFAULT_KEEP_RETIRED_MS = 24 * 60 * 60 * 1000;

function db(store: Store): Kysely<KeyTables> {
  return store.db.withTables<KeyTables>() as unknown as Kysely<KeyTables>;
}

function newKeyRow(secret: string): SigningKeysTable {
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const meta = { kid, alg: 'ES256', use: 'sig' } as const;
  return {
    kid,
    alg: 'ES256',
    private_jwk_sealed: seal(
      deriveKey(secret, 'signing-keys'),
      JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...meta }),
    ),
    public_jwk: JSON.stringify({ ...publicKey.export({ format: 'jwk' }), ...meta }),
    created_at: new Date().toISOString(),
    retired_at: null,
  };
}

/** Makes sure a current key exists (first start); returns whether one was created. */
export async function ensureSigningKey(store: Store, secret: string): Promise<boolean> {
  const k = db(store);
  const current = await k.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).executeTakeFirst();
  if (current !== undefined) return false;
  await k
    .insertInto('signing_keys')
    .values(newKeyRow(secret))
    .onConflict((oc) => oc.doNothing())
    .execute();
  return true;
}

/** Makes a new key current and retires the previous one; returns the new kid. */
export async function rotateSigningKey(store: Store, secret: string): Promise<string> {
  const row = newKeyRow(secret);
  await db(store)
    .transaction()
    .execute(async (trx) => {
      await trx
        .updateTable('signing_keys')
        .set({ retired_at: new Date().toISOString() })
        .where('retired_at', 'is', null)
        .execute();
      await trx.insertInto('signing_keys').values(row).execute();
    });
  return row.kid;
}

/** Loads the current key and the retired keys still within `keepRetiredMs`. */
export async function loadKeySet(
  store: Store,
  secret: string,
  keepRetiredMs = DEFAULT_KEEP_RETIRED_MS,
): Promise<KeySet> {
  const cutoff = new Date(Date.now() - keepRetiredMs).toISOString();
  const rows = await db(store)
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', cutoff)]))
    .orderBy('created_at', 'desc')
    .execute();
  // Current (unretired) first, then the most recently retired.
  rows.sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null));
  if (rows[0]?.retired_at !== null)
    throw new Error('no current signing key: run migrations and ensureSigningKey first');
  const key = deriveKey(secret, 'signing-keys');
  return Object.freeze({
    signing: Object.freeze(rows.map((r) => JSON.parse(unseal(key, r.private_jwk_sealed)) as Jwk)),
    jwks: Object.freeze({ keys: Object.freeze(rows.map((r) => JSON.parse(r.public_jwk) as Jwk)) }),
  });
}
