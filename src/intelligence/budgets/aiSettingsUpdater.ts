/**
 * Sets a tenant's AI settings (admins and owners): monthly token and cost caps, behaviour at the cap, PII
 * redaction towards external providers, and tier. Omitted fields keep their current value; `null` caps mean
 * "use the configured default" (tokens) or "no cap" (cost). Records an `ai.settings.changed` event.
 */

import type { PolicySubject } from '../../content/policies/contentPolicies.ts';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Store } from '../../data/store/port.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { authorizeAi } from '../aiPolicies.ts';
import { aiDb } from '../gateway/tables.ts';

/** Tiers a tenant can be on (the only tenant dimension in metrics). */
export const TENANT_TIERS = Object.freeze(['free', 'standard', 'enterprise'] as const);

/** The changes to apply. */
export interface AiSettingsChange {
  readonly tier?: (typeof TENANT_TIERS)[number];
  readonly monthlyTokenCap?: number | null;
  readonly monthlyCostCapUsd?: number | null;
  readonly atCap?: 'fallback' | 'refuse';
  readonly redactPii?: boolean;
  /** Record prompts and outputs on model-call trace spans (off by default). */
  readonly recordContent?: boolean;
}

/** Input of updateAiSettings. */
export interface AiSettingsUpdateProps {
  readonly store: Store;
  /** Omitted for operator commands (CLI). */
  readonly actor?: PolicySubject;
  readonly tenantId: string;
  readonly change: AiSettingsChange;
}

/** Applies the change. */
export async function updateAiSettings(props: AiSettingsUpdateProps): Promise<void> {
  if (props.actor !== undefined) authorizeAi('ai.settings.write', props.actor, { tenantId: props.tenantId });
  const { change } = props;
  for (const value of [change.monthlyTokenCap, change.monthlyCostCapUsd]) {
    if (value !== undefined && value !== null && !(Number.isFinite(value) && value >= 0)) {
      throw new GalleyError('GALLEY_VALIDATION_FAILED', 'caps must be non-negative numbers');
    }
  }
  await inTransaction(aiDb(props.store.db), async (trx) => {
    const current = await trx
      .selectFrom('ai_tenant_settings')
      .selectAll()
      .where('tenant_id', '=', props.tenantId)
      .executeTakeFirst();
    const row = {
      tenant_id: props.tenantId,
      tier: change.tier ?? current?.tier ?? 'standard',
      monthly_token_cap:
        change.monthlyTokenCap === undefined ? (current?.monthly_token_cap ?? null) : change.monthlyTokenCap,
      monthly_cost_cap_micros:
        change.monthlyCostCapUsd === undefined
          ? (current?.monthly_cost_cap_micros ?? null)
          : change.monthlyCostCapUsd === null
            ? null
            : Math.round(change.monthlyCostCapUsd * 1e6),
      at_cap: change.atCap ?? current?.at_cap ?? 'fallback',
      redact_pii: change.redactPii === undefined ? Number(current?.redact_pii ?? 0) : change.redactPii ? 1 : 0,
      record_content:
        change.recordContent === undefined ? Number(current?.record_content ?? 0) : change.recordContent ? 1 : 0,
      updated_at: new Date().toISOString(),
    };
    await trx
      .insertInto('ai_tenant_settings')
      .values(row)
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...row }))
      .execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'ai.settings.changed',
      subjectId: props.tenantId,
      actor: props.actor?.subject ?? 'operator',
      data: { ...change },
    });
  });
}
