/**
 * `Idempotency-Key` for unsafe requests, so a client (the editor's offline outbox) can resend a request whose
 * answer it never saw: the first request with a key runs; every later one with the same key gets the stored
 * answer (status, ETag/Location/Content-Type and body, plus `Idempotent-Replayed: true`) and nothing is applied
 * twice. Keys live 24 h in the store (migration 0013), so a replay works across processes and restarts.
 *
 * - Scope: tenant + principal subject + method + route template; two callers never share a key.
 * - The same key with a different request (path, If-Match or body) answers 422 GALLEY_IDEMPOTENCY_KEY_REUSED.
 * - A duplicate arriving while the first still runs waits for it (up to `waitMs`), then 409
 *   GALLEY_IDEMPOTENCY_IN_PROGRESS with Retry-After. A key whose owner died is taken over after `lockMs`.
 * - Answers below 500 are stored (a 412 replays as 412); a 5xx releases the key so a retry runs again.
 *
 * Use: register `onSend` on the plugin, and call `claim` in the handler after the tenant and role checks.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../data/store/port.ts';
import { GalleyError } from '../errors/errors.ts';

/** One stored key (migration 0013). */
export interface IdempotencyKeysTable {
  scope: string;
  tenant_id: string;
  request_hash: string;
  state: 'pending' | 'done';
  status_code: number | null;
  /** JSON object of the replayed headers. */
  headers: string | null;
  body: string | null;
  /** Epoch ms after which a pending key may be taken over. */
  locked_until: number;
  /** Epoch ms after which the key is forgotten. */
  expires_at: number;
  created_at: string;
}

type Tables = { idempotency_keys: IdempotencyKeysTable };

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** The request header. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['etag', 'location', 'content-type'] as const;

/** Tunables (tests shorten them). */
export interface IdempotencyOptions {
  /** How long a duplicate waits for the first request to finish (default 5 s). */
  readonly waitMs?: number;
  /** How long a pending key stays locked to its first request (default 30 s). */
  readonly lockMs?: number;
}

/** The mechanism for one route plugin. */
export interface Idempotency {
  /**
   * For a request carrying Idempotency-Key: true when this request owns the key and should run (its answer is
   * stored by onSend); false when the reply was already sent from the store. True without the header.
   */
  claim(request: FastifyRequest, reply: FastifyReply, tenantId: string): Promise<boolean>;
  /** The onSend hook storing the answer of a request that claimed a key. */
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Creates the mechanism over `store`. */
export function createIdempotency(store: Store, options: IdempotencyOptions = {}): Idempotency {
  const db = store.db.withTables<Tables>();
  const waitMs = options.waitMs ?? 5000;
  const lockMs = options.lockMs ?? 30_000;
  const claimed = new WeakMap<FastifyRequest, string>();
  let nextPurge = 0;

  async function take(scope: string, tenantId: string, requestHash: string): Promise<boolean> {
    const now = Date.now();
    const row = {
      scope,
      tenant_id: tenantId,
      request_hash: requestHash,
      state: 'pending' as const,
      status_code: null,
      headers: null,
      body: null,
      locked_until: now + lockMs,
      expires_at: now + IDEMPOTENCY_TTL_MS,
      created_at: new Date(now).toISOString(),
    };
    const inserted = await db
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.column('scope').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
    // An expired key, or a pending one whose owner died, is free again.
    const { scope: _scope, ...rest } = row;
    const updated = await db
      .updateTable('idempotency_keys')
      .set(rest)
      .where('scope', '=', scope)
      .where((eb) =>
        eb.or([eb('expires_at', '<', now), eb.and([eb('state', '=', 'pending'), eb('locked_until', '<', now)])]),
      )
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  async function purge(): Promise<void> {
    const now = Date.now();
    if (now < nextPurge) return;
    nextPurge = now + 60_000;
    await db.deleteFrom('idempotency_keys').where('expires_at', '<', now).execute();
  }

  function replay(reply: FastifyReply, row: IdempotencyKeysTable): FastifyReply {
    const headers = JSON.parse(row.headers ?? '{}') as Record<string, string>;
    reply
      .code(row.status_code ?? 200)
      .headers(headers)
      .header('idempotent-replayed', 'true');
    return row.body === null || row.body === '' ? reply.send() : reply.send(row.body);
  }

  return {
    async claim(request, reply, tenantId) {
      const raw = request.headers[IDEMPOTENCY_HEADER];
      if (raw === undefined) return true;
      const key = Array.isArray(raw) ? raw.join(',') : raw;
      if (!KEY_PATTERN.test(key)) {
        throw new GalleyError('GALLEY_BAD_REQUEST', 'Idempotency-Key must be 1–255 visible ASCII characters');
      }
      const subject = request.principal === null ? '' : `${request.principal.kind}:${request.principal.subject}`;
      const route = request.routeOptions.url ?? request.url;
      const scope = sha256(JSON.stringify([tenantId, subject, request.method, route, key]));
      const requestHash = sha256(
        JSON.stringify([
          request.url,
          request.headers['if-match'] ?? null,
          request.body === undefined ? null : request.body,
        ]),
      );
      await purge();
      const deadline = Date.now() + waitMs;
      for (;;) {
        if (await take(scope, tenantId, requestHash)) {
          claimed.set(request, scope);
          return true;
        }
        const row = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).executeTakeFirst();
        if (row === undefined) continue;
        if (row.request_hash !== requestHash) {
          throw new GalleyError(
            'GALLEY_IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was used for a different request',
          );
        }
        if (row.state === 'done') {
          replay(reply, row);
          return false;
        }
        if (Date.now() >= deadline) {
          throw new GalleyError(
            'GALLEY_IDEMPOTENCY_IN_PROGRESS',
            'a request with this Idempotency-Key is still running',
            {
              retryAfterSeconds: 1,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },

    async onSend(request, reply, payload) {
      const scope = claimed.get(request);
      if (scope === undefined) return payload;
      claimed.delete(request);
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
      if (reply.statusCode >= 500 || (payload !== null && payload !== undefined && body === null)) {
        await db.deleteFrom('idempotency_keys').where('scope', '=', scope).execute();
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'done', status_code: reply.statusCode, headers: JSON.stringify(headers), body })
        .where('scope', '=', scope)
        .execute();
      return payload;
    },
  };
}
