/**
 * The SQL of the embedded kv adapter, one fixed text per operation so the store's statement cache prepares
 * each exactly once. Parameters are numbered (`?1`…) because several are used more than once; integers are
 * bound as BigInt so SQLite keeps them INTEGER (node:sqlite binds JS numbers as REAL, which would turn
 * `7` into `'7.0'`).
 *
 * A row is live when `expires_at` is null or in the future; an expired row is treated as absent by every
 * statement, so correctness never depends on the sweep having run.
 */

/** A `kv_entries` row as read back. */
export interface KvRow {
  readonly value: string;
  /** Epoch milliseconds, or null for "never". */
  readonly expires_at: number | null;
}

/** ?1 key. */
export const SELECT_ENTRY = 'select value, expires_at from kv_entries where key = ?1';

/** ?1 key, ?2 now: removes the row only if it is (still) expired. */
export const PURGE_EXPIRED_ENTRY = 'delete from kv_entries where key = ?1 and expires_at <= ?2';

/** ?1 now. */
export const SWEEP_EXPIRED = 'delete from kv_entries where expires_at is not null and expires_at <= ?1';

/** ?1 key, ?2 value, ?3 expires_at. */
export const UPSERT_ENTRY = `insert into kv_entries (key, value, expires_at) values (?1, ?2, ?3)
on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`;

/** ?1 key; the returned expiry tells whether the removed row was still live. */
export const DELETE_ENTRY = 'delete from kv_entries where key = ?1 returning expires_at';

/** ?1 key, ?2 next, ?3 expires_at, ?4 now: writes only when the key is absent or expired; a row comes back when written. */
export const INSERT_IF_ABSENT = `insert into kv_entries (key, value, expires_at) values (?1, ?2, ?3)
on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at
where kv_entries.expires_at <= ?4
returning value, expires_at`;

/** ?1 key, ?2 expected, ?3 next, ?4 expires_at, ?5 now: writes only when the live value equals `expected`. */
export const REPLACE_IF_EQUAL = `update kv_entries set value = ?3, expires_at = ?4
where key = ?1 and value = ?2 and (expires_at is null or expires_at > ?5)
returning value, expires_at`;

const EXPIRED = '(kv_entries.expires_at is not null and kv_entries.expires_at <= ?4)';
const NEXT_VALUE = `(case when ${EXPIRED} then ?2 else cast(kv_entries.value as integer) + ?2 end)`;
const IS_INTEGER = 'cast(cast(kv_entries.value as integer) as text) = kv_entries.value';

/**
 * ?1 key, ?2 delta, ?3 limit, ?4 now, ?5 expires_at for a counter this call creates.
 *
 * One statement, so it is atomic on its own: a missing key is inserted as `delta` (when `delta ≤ limit`), a live
 * integer counter is raised by `delta` only if the result stays ≤ `limit`, and an expired one restarts from 0
 * with a fresh expiry. An existing live counter keeps its expiry. A row comes back only when the write happened;
 * no row means refused (over the limit, or not an integer).
 */
export const INCREMENT_WITH_LIMIT = `insert into kv_entries (key, value, expires_at)
select ?1, cast(?2 as text), ?5 where ?2 <= ?3 or exists (select 1 from kv_entries where key = ?1)
on conflict (key) do update set
  value = cast(${NEXT_VALUE} as text),
  expires_at = case when ${EXPIRED} then ?5 else kv_entries.expires_at end
where ${NEXT_VALUE} <= ?3 and (${EXPIRED} or ${IS_INTEGER})
returning value, expires_at`;
