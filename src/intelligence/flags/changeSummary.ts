/** What one audited change did, in short lines for people (`galley flags history`). */
import type { AiFlagValue, FlagDefinition, FlagRule } from './definition.ts';

const VALUE_FIELDS = ['mode', 'label', 'model', 'fallbackModel', 'candidateLabel', 'shadowSampleRate'] as const;

/** Lines such as `default.mode: on → off`, `+ rule canary`, `~ rule beta`, `- rule old`; `from` null = built-in. */
export function summarizeChange(from: FlagDefinition | null, to: FlagDefinition): string[] {
  if (from === null) {
    const value = VALUE_FIELDS.filter((f) => to.default[f] !== undefined).map(
      (f) => `${f}=${fieldText(to.default, f)}`,
    );
    return [`first set (was built-in): default ${value.join(' ')}`, ...to.rules.map((r) => `+ rule ${r.id}`)];
  }
  const lines: string[] = [];
  for (const field of VALUE_FIELDS) {
    const before = fieldText(from.default, field);
    const after = fieldText(to.default, field);
    if (before !== after) lines.push(`default.${field}: ${before} → ${after}`);
  }
  const old = new Map(from.rules.map((r) => [r.id, r]));
  const now = new Map(to.rules.map((r) => [r.id, r]));
  for (const rule of to.rules) {
    const previous = old.get(rule.id);
    if (previous === undefined) lines.push(`+ rule ${rule.id}`);
    else if (!sameRule(previous, rule)) lines.push(`~ rule ${rule.id}`);
  }
  for (const rule of from.rules) if (!now.has(rule.id)) lines.push(`- rule ${rule.id}`);
  const order = (d: FlagDefinition) => d.rules.map((r) => r.id).filter((id) => old.has(id) && now.has(id));
  if (order(from).join() !== order(to).join()) lines.push(`rules reordered: ${to.rules.map((r) => r.id).join(', ')}`);
  return lines.length === 0 ? ['no visible change'] : lines;
}

function fieldText(value: AiFlagValue, field: (typeof VALUE_FIELDS)[number]): string {
  const v = value[field];
  return v === undefined ? '(unset)' : String(v);
}

function sameRule(a: FlagRule, b: FlagRule): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
