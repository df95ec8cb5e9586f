/**
 * oidc-provider's storage over the store port (table `oidc_models`, migration 0007), the same on SQLite and
 * PostgreSQL, so sessions, grants, codes, device codes and refresh tokens are durable and shared by every process.
 *
 * Contract (oidc-provider's Adapter interface, plus Galley's rules):
 * - Rows expire at `upsert` time + `expiresIn`; an expired row reads as absent everywhere and `sweepExpired`
 *   deletes it later. Consumed rows stay until they expire, which is what lets refresh-token reuse be detected.
 * - `consume` is atomic: of two concurrent consumers of one code or token, exactly one succeeds; the other gets
 *   `invalid_grant` (the provider never mints two successors for one refresh token, even without the grace
 *   window's single-flight in front).
 * - Dynamic clients' `client_secret` is sealed at rest (AES-256-GCM, key derived from the master secret).
 * - `onDestroyed(model, id)` runs, and is awaited, after an explicit destroy — the hook the deny-list hangs off
 *   (the provider destroys a Grant only to revoke it: refresh reuse, revocation, logout).
 * - JWT access tokens are never stored (the library signs them statelessly); their revocation is the deny-list.
 */
import type { Kysely } from 'kysely';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { PreparedRead, Store } from '../../../data/store/port.ts';
import { seal, unseal } from '../secrets.ts';

/** Row of `oidc_models`. */
export interface OidcModelsTable {
  model: string;
  id: string;
  /** The provider's payload, JSON. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** Epoch ms; null = never. */
  expires_at: number | null;
  /** Epoch ms; null = not consumed. */
  consumed_at: number | null;
}

type OidcTables = { oidc_models: OidcModelsTable };

/** Options of the adapter factory. */
export interface StoreAdapterOptions {
  readonly store: Store;
  /** Key sealing dynamic clients' secrets (deriveKey(secret, 'oidc-client-secrets')); required to store clients. */
  readonly clientSecretKey?: Buffer;
  /** Awaited after `destroy(id)` of a row of `model` (not after grant-wide revocation or expiry). */
  readonly onDestroyed?: (model: string, id: string) => Promise<void>;
  /** Clock, epoch ms; tests move it. */
  readonly now?: () => number;
}

/** Builds one adapter per model name, as oidc-provider's `adapter` configuration expects. */
export type AdapterFactory = (model: string) => Adapter;

function tables(store: Store): Kysely<OidcTables> {
  return store.db.withTables<OidcTables>() as unknown as Kysely<OidcTables>;
}

/** What a lookup reads of a row. */
type StoredRow = Pick<OidcModelsTable, 'payload' | 'consumed_at'>;

/** The columns rows are looked up by. */
type LookupColumn = 'id' | 'uid' | 'user_code';

/** The live (unexpired) row of a model by one column, prepared; parameters: model, now (epoch ms), key. */
function liveBy(store: Store, db: Kysely<OidcTables>, column: LookupColumn): PreparedRead<StoredRow> {
  return store.prepare(
    db
      .selectFrom('oidc_models')
      .select(['payload', 'consumed_at'])
      .where('model', '=', '')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', 0)]))
      .where(column, '=', ''),
  );
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Creates the adapter factory. */
export function createStoreAdapterFactory(options: StoreAdapterOptions): AdapterFactory {
  const db = tables(options.store);
  const now = options.now ?? Date.now;
  // Point reads (every token lookup of every request) compile once per factory: building and compiling the Kysely
  // query was a measurable share of a refresh's CPU. Parameters: model, now, key.
  let lookups: Record<LookupColumn, PreparedRead<StoredRow>> | undefined;
  const lookup = (column: LookupColumn, model: string, key: string): Promise<StoredRow | undefined> => {
    lookups ??= {
      id: liveBy(options.store, db, 'id'),
      uid: liveBy(options.store, db, 'uid'),
      user_code: liveBy(options.store, db, 'user_code'),
    };
    return lookups[column].first([model, now(), key]);
  };

  const secretKey = (): Buffer => {
    if (options.clientSecretKey === undefined) throw new Error('storing OAuth clients needs clientSecretKey');
    return options.clientSecretKey;
  };
  const encode = (model: string, payload: AdapterPayload): string => {
    if (model !== 'Client' || typeof payload.client_secret !== 'string') return JSON.stringify(payload);
    return JSON.stringify({ ...payload, client_secret: seal(secretKey(), payload.client_secret) });
  };
  const decode = (model: string, row: StoredRow | undefined): AdapterPayload | undefined => {
    if (row === undefined) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (model === 'Client' && typeof payload.client_secret === 'string') {
      payload.client_secret = unseal(secretKey(), payload.client_secret);
    }
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  };

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const consumed = typeof payload.consumed === 'number' ? payload.consumed * 1000 : null;
      const row: OidcModelsTable = {
        model,
        id,
        payload: encode(model, payload),
        grant_id: text(payload.grantId),
        user_code: text(payload.userCode),
        uid: text(payload.uid),
        expires_at: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null,
        consumed_at: consumed,
      };
      await db
        .insertInto('oidc_models')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            expires_at: row.expires_at,
            consumed_at: row.consumed_at,
          }),
        )
        .execute();
    },
    async find(id) {
      return decode(model, await lookup('id', model, id));
    },
    async findByUserCode(userCode) {
      return decode(model, await lookup('user_code', model, userCode));
    },
    async findByUid(uid) {
      return decode(model, await lookup('uid', model, uid));
    },
    async consume(id) {
      const result = await db
        .updateTable('oidc_models')
        .set({ consumed_at: now() })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      // A concurrent consumer won the race: refuse like an already-used code or token.
      if (result.numUpdatedRows === 0n) throw new errors.InvalidGrant(`${model} already consumed`);
    },
    async destroy(id) {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
      await options.onDestroyed?.(model, id);
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('grant_id', '=', grantId).execute();
    },
  });
}

/** Deletes rows that expired before `before` (epoch ms), at most `limit`; returns how many went. */
export async function sweepExpired(store: Store, before: number = Date.now(), limit = 1000): Promise<number> {
  const db = tables(store);
  const victims = db
    .selectFrom('oidc_models')
    .select(['model', 'id'])
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', before)
    .limit(limit);
  const doomed = await victims.execute();
  if (doomed.length === 0) return 0;
  let removed = 0;
  // Row-value IN is not portable through Kysely on both dialects; delete per model instead.
  const byModel = new Map<string, string[]>();
  for (const row of doomed) byModel.set(row.model, [...(byModel.get(row.model) ?? []), row.id]);
  for (const [model, ids] of byModel) {
    const result = await db
      .deleteFrom('oidc_models')
      .where('model', '=', model)
      .where('id', 'in', ids)
      .where('expires_at', '<=', before)
      .executeTakeFirst();
    removed += Number(result.numDeletedRows);
  }
  return removed;
}
