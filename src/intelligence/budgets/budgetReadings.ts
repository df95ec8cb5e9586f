/**
 * The budget usage ratio for metrics: each process remembers the latest month-to-date usage ratio it settled per
 * tenant and reports, per tenant tier, the highest one (`galley_ai_budget_usage_ratio{tier}`): never a tenant id
 * as a label. Bounded: the least recently settled tenants are forgotten first.
 */
import { LRUCache } from 'lru-cache';
import { monthOf } from './budgetGuard.ts';

/** Tenants remembered per process. */
const MAX_TENANTS = 10_000;

/** The per-process readings. */
export interface BudgetReadings {
  /** Records a tenant's ratio after a settle. */
  record(tenantId: string, tier: string, ratio: number): void;
  /** Highest ratio per tier this month. */
  summary(): readonly { readonly tier: string; readonly ratio: number }[];
}

/** Creates empty readings. */
export function createBudgetReadings(): BudgetReadings {
  const latest = new LRUCache<string, { tier: string; ratio: number; month: string }>({ max: MAX_TENANTS });
  return {
    record(tenantId, tier, ratio) {
      latest.set(tenantId, { tier, ratio, month: monthOf() });
    },
    summary() {
      const month = monthOf();
      const byTier = new Map<string, number>();
      for (const reading of latest.values()) {
        if (reading.month !== month) continue;
        byTier.set(reading.tier, Math.max(byTier.get(reading.tier) ?? 0, reading.ratio));
      }
      return [...byTier].map(([tier, ratio]) => ({ tier, ratio }));
    },
  };
}
