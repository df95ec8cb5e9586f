/**
 * `galley usage` and `galley ai …`: operator access to tenants' AI usage, audit and settings.
 *
 *   galley usage --tenant <slug> [--month yyyy-mm] [--json]
 *   galley ai calls --tenant <slug> [--limit n] [--task t] [--json]
 *   galley ai settings --tenant <slug> [--token-cap n|default] [--cost-cap usd|none] [--at-cap fallback|refuse]
 *                      [--redact-pii true|false] [--record-content true|false] [--tier free|standard|enterprise]
 *
 * `usage` prints tokens and cost this month against the caps (with the 80 %/95 % warnings) and the breakdown per
 * task and model. Applies pending migrations first. Exit codes: 0 success, 1 failure, 2 bad usage.
 */

import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { listCalls } from '../../intelligence/audit/callLister.ts';
import { type AiSettingsChange, TENANT_TIERS, updateAiSettings } from '../../intelligence/budgets/aiSettingsUpdater.ts';
import { type AiUsage, readAiUsage } from '../../intelligence/budgets/aiUsageReader.ts';
import { createBudgetGuard } from '../../intelligence/budgets/budgetGuard.ts';
import { createTenantAiSettingsReader } from '../../intelligence/budgets/tenantAiSettings.ts';
import { tenantIdForSlug } from './tenantArg.ts';

type Out = (line: string) => void;

const USAGE = [
  'usage: galley usage --tenant <slug> [--month yyyy-mm] [--json]',
  '       galley ai calls --tenant <slug> [--limit n] [--task t] [--json]',
  '       galley ai settings --tenant <slug> [--token-cap n|default] [--cost-cap usd|none] [--at-cap fallback|refuse]',
  '                          [--redact-pii true|false] [--record-content true|false] [--tier free|standard|enterprise]',
].join('\n');

const OPTIONS = {
  tenant: { type: 'string' },
  month: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  task: { type: 'string' },
  'token-cap': { type: 'string' },
  'cost-cap': { type: 'string' },
  'at-cap': { type: 'string' },
  'redact-pii': { type: 'string' },
  'record-content': { type: 'string' },
  tier: { type: 'string' },
} as const;

type Values = {
  readonly [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

async function tenantId(plane: DataPlane, slug: string | undefined): Promise<string> {
  if (slug === undefined || slug === '') throw new UsageError('--tenant is required');
  return tenantIdForSlug(plane.store, slug);
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function printUsage(usage: AiUsage, out: Out): void {
  const cap = (value: number | null, unit: string) =>
    value === null ? 'no cap' : `cap ${value.toLocaleString('en')}${unit}`;
  out(`month ${usage.month}  tier ${usage.tier}  at cap: ${usage.atCap}`);
  out(`tokens  ${usage.tokens.used.toLocaleString('en')}  (${cap(usage.tokens.cap, '')})`);
  out(`cost    $${usage.costUsd.used.toFixed(6)}  (${cap(usage.costUsd.cap, ' USD')})`);
  out(`used    ${percent(usage.ratio)} of the budget`);
  for (const level of usage.warnings) {
    out(level >= 1 ? 'CAP REACHED: calls go to the local model or are refused' : `WARNING: past ${percent(level)}`);
  }
  out('task      model               calls  memo hits  tokens in  tokens out  cost USD');
  for (const l of usage.byTaskAndModel) {
    out(
      `${l.task.padEnd(9)} ${l.model.padEnd(19)} ${String(l.calls).padStart(5)}  ${String(l.cacheHits).padStart(9)}  ${String(l.inputTokens).padStart(9)}  ${String(l.outputTokens).padStart(10)}  ${l.costUsd.toFixed(6)}`,
    );
  }
}

async function usage(plane: DataPlane, config: Config, values: Values, out: Out): Promise<number> {
  if (values.month !== undefined && !/^\d{4}-\d{2}$/.test(values.month)) throw new UsageError('--month is yyyy-mm');
  const result = await readAiUsage({
    store: plane.store,
    budgets: createBudgetGuard(plane.kv),
    settings: createTenantAiSettingsReader(plane.store, config),
    tenantId: await tenantId(plane, values.tenant),
    ...(values.month === undefined ? {} : { month: values.month }),
  });
  if (values.json === true) out(JSON.stringify(result));
  else printUsage(result, out);
  return 0;
}

async function calls(plane: DataPlane, values: Values, out: Out): Promise<number> {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be 1–200');
  const page = await listCalls({
    store: plane.store,
    tenantId: await tenantId(plane, values.tenant),
    limit,
    ...(values.task === undefined ? {} : { task: values.task }),
  });
  for (const c of page.items) {
    if (values.json === true) {
      out(JSON.stringify(c));
      continue;
    }
    const flags = `${c.cacheHit ? ' memo' : ''}${c.shadow ? ' shadow' : ''}`;
    out(
      `${c.createdAt}  ${c.task.padEnd(7)} ${c.status.padEnd(15)} ${c.model.padEnd(16)} in=${c.inputTokens} out=${c.outputTokens} $${c.costUsd.toFixed(6)} ${c.latencyMs}ms prompt=${c.promptHash.slice(0, 12)} user=${c.userId}${flags}`,
    );
  }
  if (values.json !== true) out(`${page.items.length} call(s)`);
  return 0;
}

function settingsChange(values: Values): AiSettingsChange {
  const change: { -readonly [K in keyof AiSettingsChange]: AiSettingsChange[K] } = {};
  const tokenCap = values['token-cap'];
  if (tokenCap !== undefined) {
    if (tokenCap !== 'default' && !/^\d+$/.test(tokenCap))
      throw new UsageError('--token-cap is a whole number or "default"');
    change.monthlyTokenCap = tokenCap === 'default' ? null : Number(tokenCap);
  }
  const costCap = values['cost-cap'];
  if (costCap !== undefined) {
    if (costCap !== 'none' && !/^\d+(\.\d+)?$/.test(costCap)) throw new UsageError('--cost-cap is USD or "none"');
    change.monthlyCostCapUsd = costCap === 'none' ? null : Number(costCap);
  }
  const atCap = values['at-cap'];
  if (atCap !== undefined) {
    if (atCap !== 'fallback' && atCap !== 'refuse') throw new UsageError('--at-cap is fallback or refuse');
    change.atCap = atCap;
  }
  const redact = values['redact-pii'];
  if (redact !== undefined) {
    if (redact !== 'true' && redact !== 'false') throw new UsageError('--redact-pii is true or false');
    change.redactPii = redact === 'true';
  }
  const record = values['record-content'];
  if (record !== undefined) {
    if (record !== 'true' && record !== 'false') throw new UsageError('--record-content is true or false');
    change.recordContent = record === 'true';
  }
  const tier = values.tier;
  if (tier !== undefined) {
    const found = TENANT_TIERS.find((t) => t === tier);
    if (found === undefined) throw new UsageError(`--tier is one of ${TENANT_TIERS.join(', ')}`);
    change.tier = found;
  }
  if (Object.keys(change).length === 0) throw new UsageError('settings needs at least one change');
  return change;
}

async function settings(plane: DataPlane, config: Config, values: Values, out: Out): Promise<number> {
  const change = settingsChange(values);
  const id = await tenantId(plane, values.tenant);
  await updateAiSettings({ store: plane.store, tenantId: id, change });
  out(`updated AI settings of ${values.tenant ?? ''}`);
  return usage(plane, config, values, out);
}

async function withPlane(config: Config, out: Out, label: string, fn: (plane: DataPlane) => Promise<number>) {
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    return await fn(plane);
  } catch (error) {
    out(`galley ${label}: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) {
      out(USAGE);
      return 2;
    }
    return 1;
  } finally {
    await plane.close();
  }
}

function parse(args: readonly string[], out: Out): Values | undefined {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Error(`unexpected "${positionals[0]}"`);
    return values;
  } catch (error) {
    out(`galley: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return undefined;
  }
}

/** Runs `galley usage`. */
export async function runUsage(args: readonly string[], config: Config, out: Out): Promise<number> {
  const values = parse(args, out);
  if (values === undefined) return 2;
  return withPlane(config, out, 'usage', (plane) => usage(plane, config, values, out));
}

/** Runs `galley ai calls|settings`. */
export async function runAi(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'calls' && sub !== 'settings') {
    out(USAGE);
    return 2;
  }
  const values = parse(rest, out);
  if (values === undefined) return 2;
  return withPlane(config, out, `ai ${sub}`, (plane) =>
    sub === 'calls' ? calls(plane, values, out) : settings(plane, config, values, out),
  );
}
