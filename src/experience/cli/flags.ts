/**
 * `galley flags`: the AI task feature flags (`ai.<task>`), read and changed by operators.
 *
 *   galley flags list
 *   galley flags get <key> [--json]
 *   galley flags set <key> [--mode on|off|shadow] [--label l] [--model m] [--fallback-model m]
 *                          [--candidate-label l] [--sample r]
 *   galley flags rule add <key> --id <id> [--tenant <slug>]… [--role <role>]… [--percentage n] <value options>
 *   galley flags rule remove <key> <id>
 *   galley flags history <key> [--limit n]
 *
 * `set` changes the flag's default value; `rule add` appends a rule (rules are tried in order, the first whose
 * conditions all hold wins) whose value options override the default. Changes are announced on the kv: running
 * processes apply them within a second (on embedded, a server in another process within its store poll, ~3 s).
 * Applies pending migrations first (like `galley seed`). Exit codes: 0 success, 1 failure, 2 bad usage.
 */

import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import type { Store } from '../../data/store/port.ts';
import { summarizeChange } from '../../intelligence/flags/changeSummary.ts';
import type { AiFlagValuePatch, FlagDefinition, FlagRule } from '../../intelligence/flags/definition.ts';
import { withDefaultValue, withoutRule, withRule } from '../../intelligence/flags/definitionEdits.ts';
import { editFlag } from '../../intelligence/flags/flagEditor.ts';
import { type FlagRecord, flagHistory, getFlag, listFlags } from '../../intelligence/flags/flagQueries.ts';
import type { FlagSetResult } from '../../intelligence/flags/flagSetter.ts';
import { tenantIdForSlug } from './tenantArg.ts';

const USAGE = [
  'usage: galley flags list',
  '       galley flags get <key> [--json]',
  '       galley flags set <key> [--mode on|off|shadow] [--label l] [--model m] [--fallback-model m]',
  '                              [--candidate-label l] [--sample r]',
  '       galley flags rule add <key> --id <id> [--tenant <slug>]… [--role <role>]… [--percentage n] <value options>',
  '       galley flags rule remove <key> <id>',
  '       galley flags history <key> [--limit n]',
  'keys: ai.<task> (ai.summary, ai.titles, ai.tags, ai.seo, ai.pii, ai.related)',
].join('\n');

type Out = (line: string) => void;

const OPTIONS = {
  mode: { type: 'string' },
  label: { type: 'string' },
  model: { type: 'string' },
  'fallback-model': { type: 'string' },
  'candidate-label': { type: 'string' },
  sample: { type: 'string' },
  id: { type: 'string' },
  tenant: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  percentage: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

const ACTOR = 'system';

function numberOption(values: Values, name: 'sample' | 'percentage' | 'limit'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number`);
  return value;
}

/** The value options given, as a patch (validated with the definition). */
function valuePatch(values: Values): AiFlagValuePatch {
  const patch: Record<string, string | number> = {};
  if (values.mode !== undefined) patch.mode = values.mode;
  if (values.label !== undefined) patch.label = values.label;
  if (values.model !== undefined) patch.model = values.model;
  if (values['fallback-model'] !== undefined) patch.fallbackModel = values['fallback-model'];
  if (values['candidate-label'] !== undefined) patch.candidateLabel = values['candidate-label'];
  const sample = numberOption(values, 'sample');
  if (sample !== undefined) patch.shadowSampleRate = sample;
  if (Object.keys(patch).length === 0) throw new UsageError('give at least one value option (--mode, --label, …)');
  // The validator checks the modes and ranges when the edited definition is set.
  return patch as AiFlagValuePatch;
}

async function tenantIds(store: Store, slugs: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const slug of slugs) ids.push(await tenantIdForSlug(store, slug));
  return ids;
}

async function tenantSlugs(store: Store): Promise<Map<string, string>> {
  const rows = await store.db.selectFrom('tenants').select(['id', 'slug']).execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

function valueText(value: AiFlagValuePatch): string {
  return Object.entries(value)
    .map(([field, v]) => `${field}=${String(v)}`)
    .join(' ');
}

function ruleText(rule: FlagRule, slugs: ReadonlyMap<string, string>): string {
  const when: string[] = [];
  if (rule.tenants !== undefined) when.push(`tenants=${rule.tenants.map((id) => slugs.get(id) ?? id).join(',')}`);
  if (rule.roles !== undefined) when.push(`roles=${rule.roles.join(',')}`);
  if (rule.percentage !== undefined) when.push(`percentage=${rule.percentage}`);
  return `rule ${rule.id}: ${when.length === 0 ? 'everyone' : when.join(' ')} → ${valueText(rule.value)}`;
}

function recordLines(record: FlagRecord, slugs: ReadonlyMap<string, string>): string[] {
  const origin = record.builtIn
    ? 'built-in (never set)'
    : `version ${record.version}, ${record.updatedAt} by ${record.updatedBy}`;
  return [
    `${record.key}  ${origin}`,
    `  default: ${valueText(record.definition.default)}`,
    ...record.definition.rules.map((rule) => `  ${ruleText(rule, slugs)}`),
  ];
}

function needKey(positionals: readonly string[], extra = 0): string {
  const [key] = positionals;
  if (key === undefined || positionals.length > 1 + extra) throw new UsageError('give one flag key (ai.<task>)');
  return key;
}

async function show(store: Store, defaultModel: string, positionals: readonly string[], values: Values, out: Out) {
  const record = await getFlag(store.db, needKey(positionals), defaultModel);
  if (values.json === true) out(JSON.stringify(record.definition, null, 2));
  else for (const line of recordLines(record, await tenantSlugs(store))) out(line);
}

async function history(store: Store, positionals: readonly string[], values: Values, out: Out) {
  const limit = numberOption(values, 'limit') ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be 1–500');
  const changes = await flagHistory(store.db, needKey(positionals), limit);
  for (const change of changes) {
    out(`v${change.version}  ${change.at}  ${change.actor}`);
    for (const line of summarizeChange(change.from, change.to)) out(`  ${line}`);
  }
  if (changes.length === 0) out('(never changed: built-in definition)');
}

async function change(plane: DataPlane, config: Config, sub: string, positionals: readonly string[], values: Values) {
  const edit = async (key: string, fn: (d: FlagDefinition) => FlagDefinition): Promise<FlagSetResult> =>
    editFlag({ db: plane.store.db, kv: plane.kv, key, edit: fn, actor: ACTOR, defaultModel: config.aiDefaultModel });
  if (sub === 'set') {
    const patch = valuePatch(values);
    return edit(needKey(positionals), (d) => withDefaultValue(d, patch));
  }
  const [action, ...rest] = positionals;
  if (action === 'add') {
    const id = values.id;
    if (id === undefined) throw new UsageError('rule add needs --id');
    const tenants = values.tenant === undefined ? undefined : await tenantIds(plane.store, values.tenant);
    const percentage = numberOption(values, 'percentage');
    const rule = {
      id,
      ...(tenants === undefined ? {} : { tenants }),
      ...(values.role === undefined ? {} : { roles: values.role }),
      ...(percentage === undefined ? {} : { percentage }),
      value: valuePatch(values),
    } as FlagRule; // Checked (roles included) by the validator when the definition is set.
    return edit(needKey(rest), (d) => withRule(d, rule));
  }
  if (action === 'remove') {
    const [key, id] = rest;
    if (key === undefined || id === undefined || rest.length > 2) throw new UsageError('rule remove <key> <id>');
    return edit(key, (d) => withoutRule(d, id));
  }
  throw new UsageError('rule add|remove');
}

async function run(plane: DataPlane, config: Config, sub: string, positionals: string[], values: Values, out: Out) {
  const { store } = plane;
  if (sub === 'list') {
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
    const slugs = await tenantSlugs(store);
    for (const record of (await listFlags(store.db, config.aiDefaultModel)).flags) {
      for (const line of recordLines(record, slugs)) out(line);
    }
    return;
  }
  if (sub === 'get') return show(store, config.aiDefaultModel, positionals, values, out);
  if (sub === 'history') return history(store, positionals, values, out);
  const result = await change(plane, config, sub, positionals, values);
  for (const line of recordLines(result.record, await tenantSlugs(store))) out(line);
  if (!result.changed) out('unchanged (the flag already had this definition)');
  else if (!result.announced) out('stored, but not announced on the kv: processes pick it up on their next store poll');
}

/** Runs `galley flags`; resolves with the process exit code. */
export async function runFlags(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [sub, ...rest] = args;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    out(`galley flags: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  if (sub === undefined || !['list', 'get', 'set', 'rule', 'history'].includes(sub)) {
    out(USAGE);
    return 2;
  }
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    await run(plane, config, sub, positionals, values, out);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    out(`galley flags ${sub}: ${message}`);
    if (error instanceof UsageError) {
      out(USAGE);
      return 2;
    }
    return 1;
  } finally {
    await plane.close();
  }
}
