/**
 * A tenant's AI usage this month against its caps — the numbers behind `GET …/ai/usage`, `galley usage` and the
 * editor's budget banner: tokens and cost used, the caps, the ratio, which warning levels are crossed, what
 * happens at the cap, and the breakdown per task and model from the audit.
 */
import type { Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { authorizeAi } from '../aiPolicies.ts';
import { type UsageLine, usageByTaskAndModel } from '../audit/callLister.ts';
import { type BudgetGuard, monthOf, WARNING_LEVELS } from './budgetGuard.ts';
import type { TenantAiSettingsReader } from './tenantAiSettings.ts';

/** Usage of one tenant in one month. */
export interface AiUsage {
  readonly month: string;
  readonly tier: string;
  readonly tokens: { readonly used: number; readonly cap: number | null };
  readonly costUsd: { readonly used: number; readonly cap: number | null };
  /** Highest of the token and cost ratios (0 when uncapped). */
  readonly ratio: number;
  /** Warning levels reached (0.8, 0.95, 1). */
  readonly warnings: readonly number[];
  readonly atCap: 'fallback' | 'refuse';
  readonly byTaskAndModel: readonly UsageLine[];
}

/** Input of readAiUsage. */
export interface AiUsageProps {
  readonly store: Store;
  readonly budgets: BudgetGuard;
  readonly settings: TenantAiSettingsReader;
  /** Omitted for operator commands (the CLI runs with the operator's authority). */
  readonly actor?: Principal;
  readonly tenantId: string;
  readonly month?: string;
}

/** The tenant's usage. */
export async function readAiUsage(props: AiUsageProps): Promise<AiUsage> {
  if (props.actor !== undefined) authorizeAi('ai.usage.read', props.actor, { tenantId: props.tenantId });
  const month = props.month ?? monthOf();
  const [settings, used, lines] = await Promise.all([
    props.settings.get(props.tenantId),
    props.budgets.usage(props.tenantId, month),
    usageByTaskAndModel(props.store, props.tenantId, month),
  ]);
  const tokenCap = settings.monthlyTokenCap > 0 ? settings.monthlyTokenCap : null;
  const costCap = settings.monthlyCostCapMicros > 0 ? settings.monthlyCostCapMicros / 1e6 : null;
  const ratio = Math.max(
    tokenCap === null ? 0 : used.tokens / tokenCap,
    costCap === null ? 0 : used.costMicros / 1e6 / costCap,
  );
  return {
    month,
    tier: settings.tier,
    tokens: { used: used.tokens, cap: tokenCap },
    costUsd: { used: used.costMicros / 1e6, cap: costCap },
    ratio: Math.round(ratio * 10_000) / 10_000,
    warnings: WARNING_LEVELS.filter((level) => ratio >= level),
    atCap: settings.atCap,
    byTaskAndModel: lines,
  };
}
