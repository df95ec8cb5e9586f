/**
 * Reads the call audit of one tenant, newest first, with an opaque keyset cursor; and the month's usage per
 * task and model (the API's usage view and `galley usage`).
 */
import type { Store } from '../../data/store/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { aiDb } from '../gateway/tables.ts';

/** One audited call as the API presents it. */
export interface AuditedCall {
  readonly id: string;
  readonly userId: string;
  readonly task: string;
  readonly entryId: string | null;
  readonly flagVariant: string;
  readonly promptHash: string;
  readonly requestedModel: string;
  readonly model: string;
  readonly inputHash: string;
  readonly outputHash: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
  readonly cacheHit: boolean;
  readonly shadow: boolean;
  readonly status: string;
  readonly error: string | null;
  readonly createdAt: string;
}

/** A page of audited calls. */
export interface AuditPage {
  readonly items: readonly AuditedCall[];
  readonly next: string | null;
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): readonly [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return [value[0] as string, value[1] as string];
    }
  } catch {
    // fall through to the error below
  }
  throw new GalleyError('GALLEY_BAD_REQUEST', 'cursor is not one this API issued');
}

/** Input of listCalls. */
export interface CallListProps {
  readonly store: Store;
  readonly tenantId: string;
  readonly limit: number;
  readonly cursor?: string | null;
  readonly task?: string;
}

/** The tenant's audited calls, newest first. */
export async function listCalls(props: CallListProps): Promise<AuditPage> {
  let query = aiDb(props.store.db)
    .selectFrom('ai_calls')
    .selectAll()
    .where('tenant_id', '=', props.tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(props.limit + 1);
  if (props.task !== undefined) query = query.where('task', '=', props.task);
  if (props.cursor) {
    const [createdAt, id] = decodeCursor(props.cursor);
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, props.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      userId: r.user_id,
      task: r.task,
      entryId: r.entry_id,
      flagVariant: r.flag_variant,
      promptHash: r.prompt_hash,
      requestedModel: r.requested_model,
      model: r.model,
      inputHash: r.input_hash,
      outputHash: r.output_hash,
      inputTokens: Number(r.tokens_in),
      outputTokens: Number(r.tokens_out),
      costUsd: Number(r.cost_micros) / 1e6,
      latencyMs: Number(r.latency_ms),
      cacheHit: Number(r.cache_hit) === 1,
      shadow: Number(r.shadow) === 1,
      status: r.status,
      error: r.error,
      createdAt: r.created_at,
    })),
    next: rows.length > props.limit && last !== undefined ? encodeCursor(last.created_at, last.id) : null,
  };
}

/** Usage of one task and model in a month. */
export interface UsageLine {
  readonly task: string;
  readonly model: string;
  readonly calls: number;
  readonly cacheHits: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** Non-shadow usage of the tenant in `month` (`yyyy-mm`), per task and model. */
export async function usageByTaskAndModel(
  store: Store,
  tenantId: string,
  month: string,
): Promise<readonly UsageLine[]> {
  const rows = await aiDb(store.db)
    .selectFrom('ai_calls')
    .select((eb) => [
      'task',
      'model',
      eb.fn.countAll<number>().as('calls'),
      eb.fn.sum<number>('cache_hit').as('hits'),
      eb.fn.sum<number>('tokens_in').as('tin'),
      eb.fn.sum<number>('tokens_out').as('tout'),
      eb.fn.sum<number>('cost_micros').as('cost'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('shadow', '=', 0)
    .where('created_at', '>=', `${month}-01`)
    .where('created_at', '<', nextMonth(month))
    .groupBy(['task', 'model'])
    .orderBy('task')
    .orderBy('model')
    .execute();
  return rows.map((r) => ({
    task: r.task,
    model: r.model,
    calls: Number(r.calls),
    cacheHits: Number(r.hits ?? 0),
    inputTokens: Number(r.tin ?? 0),
    outputTokens: Number(r.tout ?? 0),
    costUsd: Number(r.cost ?? 0) / 1e6,
  }));
}

function nextMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
