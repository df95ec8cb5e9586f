/**
 * A tenant's AI settings — monthly caps, what happens at the cap, PII redaction, tier — with the configured
 * defaults for tenants that never set them. Read on every model call, so reads go through a short in-process
 * cache (a change is seen within `SETTINGS_TTL_MS` in every process).
 */
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/config.ts';
import type { Store } from '../../data/store/port.ts';
import { aiDb } from '../gateway/tables.ts';

/** How long a process keeps a tenant's settings before reading them again. */
export const SETTINGS_TTL_MS = 2_000;

/** Effective AI settings of one tenant. */
export interface TenantAiSettings {
  /** `free`, `standard` or `enterprise`: the only tenant dimension metrics may carry. */
  readonly tier: string;
  /** Monthly token cap; 0 = none. */
  readonly monthlyTokenCap: number;
  /** Monthly cost cap in micro-dollars; 0 = none. */
  readonly monthlyCostCapMicros: number;
  /** At the cap: answer with the local model (`fallback`) or refuse with 429 (`refuse`). */
  readonly atCap: 'fallback' | 'refuse';
  /** Redact PII from inputs before they reach an external provider. */
  readonly redactPii: boolean;
  /** The tenant opted in to recording prompts and outputs on model-call spans (off by default). */
  readonly recordContent: boolean;
}

/** Reads settings through a per-process cache. */
export interface TenantAiSettingsReader {
  get(tenantId: string): Promise<TenantAiSettings>;
  /** Drops the cached copy (after this process changed them). */
  forget(tenantId: string): void;
}

/** Builds the reader over `store` with `config`'s defaults. */
export function createTenantAiSettingsReader(store: Store, config: Config): TenantAiSettingsReader {
  const cache = new LRUCache<string, TenantAiSettings>({ max: 10_000, ttl: SETTINGS_TTL_MS });
  return {
    async get(tenantId) {
      const cached = cache.get(tenantId);
      if (cached !== undefined) return cached;
      const row = await aiDb(store.db)
        .selectFrom('ai_tenant_settings')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      // `system:` tenants (evals, drills) are Galley's own work, not a customer's: never capped.
      const system = tenantId.startsWith('system:');
      const settings: TenantAiSettings = Object.freeze({
        tier: row?.tier ?? 'standard',
        monthlyTokenCap: system ? 0 : Number(row?.monthly_token_cap ?? config.aiMonthlyTokenCap),
        monthlyCostCapMicros: Number(row?.monthly_cost_cap_micros ?? 0),
        atCap: row?.at_cap ?? 'fallback',
        redactPii: Number(row?.redact_pii ?? 0) === 1,
        recordContent: Number(row?.record_content ?? 0) === 1,
      });
      cache.set(tenantId, settings);
      return settings;
    },
    forget(tenantId) {
      cache.delete(tenantId);
    },
  };
}
