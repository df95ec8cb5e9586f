/**
 * Classifies a definition change. A change is additive when every entry valid under the old definition is still
 * valid under the new one: new optional fields, relaxed limits, widened reference targets, labels, field order,
 * the title field. Anything else (removing or retyping a field, making one required, tightening a limit) is
 * breaking and needs `migration: 'explicit'`.
 */
import type { FieldError } from '../../experience/errors/errors.ts';
import { DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, type FieldDefinition } from './types.ts';

function maxLengthOf(f: FieldDefinition): number {
  if (f.maxLength !== undefined) return f.maxLength;
  return f.kind === 'text' || f.kind === 'richtext' || f.kind === 'slug' || f.kind === 'tags'
    ? DEFAULT_MAX_LENGTH[f.kind]
    : Number.POSITIVE_INFINITY;
}

function tightenings(before: FieldDefinition, after: FieldDefinition): string[] {
  const reasons: string[] = [];
  if (before.required !== true && after.required === true) reasons.push('becomes required');
  if (maxLengthOf(after) < maxLengthOf(before)) reasons.push('maxLength is lowered');
  if ((after.maxItems ?? DEFAULT_MAX_ITEMS) < (before.maxItems ?? DEFAULT_MAX_ITEMS)) {
    reasons.push('maxItems is lowered');
  }
  if ((after.min ?? Number.NEGATIVE_INFINITY) > (before.min ?? Number.NEGATIVE_INFINITY)) reasons.push('min is raised');
  if ((after.max ?? Number.POSITIVE_INFINITY) < (before.max ?? Number.POSITIVE_INFINITY))
    reasons.push('max is lowered');
  if (before.integer !== true && after.integer === true) reasons.push('becomes integer-only');
  if (after.referenceTypes !== undefined) {
    const allowed = new Set(after.referenceTypes);
    if (before.referenceTypes === undefined || before.referenceTypes.some((t) => !allowed.has(t))) {
      reasons.push('referenceTypes is narrowed');
    }
  }
  return reasons;
}

/**
 * The breaking parts of changing `before` into `after`, one per field (JSON pointer into the new definition's
 * fields by name, `/fields/<name>`); empty when the change is additive.
 */
export function breakingChanges(
  before: readonly FieldDefinition[],
  after: readonly FieldDefinition[],
): readonly FieldError[] {
  const problems: FieldError[] = [];
  const next = new Map(after.map((f) => [f.name, f]));
  const previous = new Set(before.map((f) => f.name));
  for (const old of before) {
    const now = next.get(old.name);
    if (now === undefined) {
      problems.push({ field: `/fields/${old.name}`, message: 'is removed' });
    } else if (now.kind !== old.kind) {
      problems.push({ field: `/fields/${old.name}`, message: `changes kind from ${old.kind} to ${now.kind}` });
    } else {
      const reasons = tightenings(old, now);
      if (reasons.length > 0) problems.push({ field: `/fields/${old.name}`, message: reasons.join('; ') });
    }
  }
  for (const f of after) {
    if (!previous.has(f.name) && f.required === true) {
      problems.push({ field: `/fields/${f.name}`, message: 'is a new required field' });
    }
  }
  return problems;
}
