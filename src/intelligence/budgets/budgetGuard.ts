/**
 * Per-tenant monthly budgets over the kv port. Before a call the gateway reserves the estimated tokens (and
 * cost) with `incrementWithLimit`, which is atomic across processes (SQLite transaction / Redis Lua), so any
 * number of concurrent calls near the cap can never push the month's total past it; after the call it settles
 * the reservation to the actual usage. A reservation is remembered under the call key, so a redelivered job
 * (its worker crashed after reserving) reuses it instead of reserving twice.
 *
 * Counters: `aibudget:<tenant>:<yyyy-mm>:tokens` and `…:cost` (micro-dollars), expiring after the month.
 */
import type { Kv } from '../../data/kv/port.ts';

/** Counters outlive their month by a margin so late settles still land. */
const COUNTER_TTL_MS = 40 * 24 * 3600 * 1000;
/** A reservation marker outlives any call (timeouts are seconds). */
const RESERVATION_TTL_MS = 3600 * 1000;
/** Budget warning levels (fractions of the cap). */
export const WARNING_LEVELS = Object.freeze([0.8, 0.95, 1] as const);

/** The UTC month a moment belongs to, `yyyy-mm`. */
export function monthOf(at: Date = new Date()): string {
  return at.toISOString().slice(0, 7);
}

/** Caps applied to one reservation; 0 = no cap. */
export interface BudgetCaps {
  readonly tokens: number;
  readonly costMicros: number;
}

/** Tokens and cost of one call. */
export interface BudgetAmount {
  readonly tokens: number;
  readonly costMicros: number;
}

/** A held reservation. */
export interface Reservation extends BudgetAmount {
  readonly tenantId: string;
  readonly month: string;
  readonly callKey: string;
}

/** The outcome of a reservation attempt. */
export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly exceeded: 'tokens' | 'cost' };

/** A tenant's usage this month. */
export interface BudgetUsage {
  readonly month: string;
  readonly tokens: number;
  readonly costMicros: number;
}

/** The budget guard of one process. */
export interface BudgetGuard {
  reserve(tenantId: string, callKey: string, amount: BudgetAmount, caps: BudgetCaps): Promise<ReserveResult>;
  /**
   * Replaces the reservation with the actual usage; returns the month's usage after settling. Reservations are
   * upper bounds (the output is capped at the reserved output tokens), so settling normally gives tokens back;
   * should a provider report more than was reserved, the counter is still held at the cap (the audit keeps the
   * true figure), which is what makes "never over the cap" hold.
   */
  settle(reservation: Reservation, actual: BudgetAmount, caps: BudgetCaps): Promise<BudgetUsage>;
  usage(tenantId: string, month?: string): Promise<BudgetUsage>;
  /**
   * Warning levels newly crossed by `usage` against `caps`, each reported once per tenant and month across all
   * processes (a kv compare-and-set claims it).
   */
  claimWarnings(tenantId: string, usage: BudgetUsage, caps: BudgetCaps): Promise<readonly number[]>;
}

function keys(tenantId: string, month: string) {
  const base = `aibudget:${tenantId}:${month}`;
  return { tokens: `${base}:tokens`, cost: `${base}:cost`, warned: (level: number) => `${base}:warned:${level}` };
}

async function add(kv: Kv, key: string, delta: number, cap: number) {
  if (cap <= 0) return { ok: true, value: await kv.increment(key, delta, { ttlMs: COUNTER_TTL_MS }) };
  return kv.incrementWithLimit(key, delta, cap, { ttlMs: COUNTER_TTL_MS });
}

/** Applies a settle delta; a positive one never lifts a capped counter past its cap. */
async function adjust(kv: Kv, key: string, delta: number, cap: number): Promise<number> {
  if (delta <= 0 || cap <= 0) return kv.increment(key, delta);
  const applied = await kv.incrementWithLimit(key, delta, cap);
  if (applied.ok) return applied.value;
  // Take what fits; a concurrent settle may take it first, in which case the next pass sees the cap reached.
  const room = Math.max(0, cap - applied.value);
  if (room === 0) return applied.value;
  const partial = await kv.incrementWithLimit(key, room, cap);
  return partial.value;
}

/** Creates the guard over `kv`. */
export function createBudgetGuard(kv: Kv): BudgetGuard {
  return {
    async reserve(tenantId, callKey, amount, caps) {
      const markerKey = `aires:${callKey}`;
      const held = await kv.get(markerKey);
      if (held !== undefined) return { ok: true, reservation: JSON.parse(held) as Reservation };
      const month = monthOf();
      const k = keys(tenantId, month);
      const tokens = await add(kv, k.tokens, amount.tokens, caps.tokens);
      if (!tokens.ok) return { ok: false, exceeded: 'tokens' };
      const cost = await add(kv, k.cost, amount.costMicros, caps.costMicros);
      if (!cost.ok) {
        await kv.increment(k.tokens, -amount.tokens);
        return { ok: false, exceeded: 'cost' };
      }
      const reservation: Reservation = Object.freeze({ tenantId, month, callKey, ...amount });
      await kv.set(markerKey, JSON.stringify(reservation), { ttlMs: RESERVATION_TTL_MS });
      return { ok: true, reservation };
    },
    async settle(reservation, actual, caps) {
      const k = keys(reservation.tenantId, reservation.month);
      const [tokens, costMicros] = await Promise.all([
        adjust(kv, k.tokens, actual.tokens - reservation.tokens, caps.tokens),
        adjust(kv, k.cost, actual.costMicros - reservation.costMicros, caps.costMicros),
      ]);
      await kv.delete(`aires:${reservation.callKey}`);
      return { month: reservation.month, tokens, costMicros };
    },
    async usage(tenantId, month = monthOf()) {
      const k = keys(tenantId, month);
      const [tokens, cost] = await Promise.all([kv.get(k.tokens), kv.get(k.cost)]);
      return { month, tokens: Number(tokens ?? 0), costMicros: Number(cost ?? 0) };
    },
    async claimWarnings(tenantId, usage, caps) {
      const ratio = Math.max(
        caps.tokens > 0 ? usage.tokens / caps.tokens : 0,
        caps.costMicros > 0 ? usage.costMicros / caps.costMicros : 0,
      );
      const claimed: number[] = [];
      for (const level of WARNING_LEVELS) {
        if (ratio < level) continue;
        const key = keys(tenantId, usage.month).warned(level);
        if (await kv.compareAndSet(key, null, '1', { ttlMs: COUNTER_TTL_MS })) claimed.push(level);
      }
      return claimed;
    },
  };
}
