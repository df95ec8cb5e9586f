/**
 * Pure edits of a flag definition, as operators make them: change the default value, add a rule, remove a rule.
 * Each returns a new definition (validated when it is set).
 */
import { GalleyError } from '../../experience/errors/errors.ts';
import type { AiFlagValuePatch, FlagDefinition, FlagRule } from './definition.ts';

/** The definition with `patch` merged over its default value. */
export function withDefaultValue(definition: FlagDefinition, patch: AiFlagValuePatch): FlagDefinition {
  return { ...definition, default: { ...definition.default, ...patch } };
}

/** The definition with `rule` appended (rules are tried in order). GALLEY_CONFLICT when its id is taken. */
export function withRule(definition: FlagDefinition, rule: FlagRule): FlagDefinition {
  if (definition.rules.some((r) => r.id === rule.id)) {
    throw new GalleyError('GALLEY_CONFLICT', `flag ${definition.key} already has a rule "${rule.id}"`);
  }
  return { ...definition, rules: [...definition.rules, rule] };
}

/** The definition without rule `id`. GALLEY_NOT_FOUND when it has no such rule. */
export function withoutRule(definition: FlagDefinition, id: string): FlagDefinition {
  if (!definition.rules.some((r) => r.id === id)) {
    throw new GalleyError('GALLEY_NOT_FOUND', `flag ${definition.key} has no rule "${id}"`);
  }
  return { ...definition, rules: definition.rules.filter((r) => r.id !== id) };
}
