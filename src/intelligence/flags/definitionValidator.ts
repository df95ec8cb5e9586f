/**
 * Validates flag definitions from any source (CLI, API body, stored JSON): the TypeBox schema first, then the
 * rules a schema cannot say (unique rule ids; a shadow value must name a candidate label other than its label).
 */
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { type FieldError, GalleyError } from '../../experience/errors/errors.ts';
import {
  type AiFlagValue,
  DEFAULT_CANDIDATE_LABEL,
  deepFreeze,
  type FlagDefinition,
  FlagDefinitionSchema,
} from './definition.ts';

const definitionValidator = Compile(FlagDefinitionSchema);

/** How many field errors one rejection reports at most. */
const MAX_REPORTED_ERRORS = 20;

/**
 * Returns `input` as an immutable FlagDefinition (a deep copy), or throws GALLEY_VALIDATION_FAILED whose `errors`
 * name each bad field by JSON pointer (`/rules/0/percentage`).
 */
export function validateFlagDefinition(input: unknown): FlagDefinition {
  if (!definitionValidator.Check(input)) {
    const errors = definitionValidator
      .Errors(input)
      // `schema is false` repeats the additionalProperties error of the same object.
      .filter((e) => e.keyword !== 'boolean')
      .slice(0, MAX_REPORTED_ERRORS)
      .map((e): FieldError => ({ field: e.instancePath, message: messageOf(e) }));
    throw rejection(errors);
  }
  const definition: FlagDefinition = deepFreeze(structuredClone(input));
  const errors = semanticErrors(definition);
  if (errors.length > 0) throw rejection(errors);
  return definition;
}

/** TypeBox's message, made specific where it names no value. */
function messageOf(error: TLocalizedValidationError): string {
  if (error.keyword === 'enum') return `must be one of ${error.params.allowedValues.join(', ')}`;
  if (error.keyword === 'additionalProperties') {
    return `unknown field(s) ${error.params.additionalProperties.join(', ')}`;
  }
  return error.message;
}

function rejection(errors: readonly FieldError[]): GalleyError {
  const detail = errors.map((e) => `${e.field || '/'}: ${e.message}`).join('; ');
  return new GalleyError('GALLEY_VALIDATION_FAILED', `invalid flag definition: ${detail}`, { errors });
}

function semanticErrors(definition: FlagDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const shadowError = shadowProblem(definition.default);
  if (shadowError !== undefined) errors.push({ field: '/default/candidateLabel', message: shadowError });
  const seen = new Set<string>();
  definition.rules.forEach((rule, i) => {
    if (seen.has(rule.id)) errors.push({ field: `/rules/${i}/id`, message: `duplicate rule id "${rule.id}"` });
    seen.add(rule.id);
    const problem = shadowProblem({ ...definition.default, ...rule.value });
    if (problem !== undefined) errors.push({ field: `/rules/${i}/value`, message: problem });
  });
  return errors;
}

/** Shadow mode compares the candidate with what is served, so the two labels must differ. */
function shadowProblem(value: AiFlagValue): string | undefined {
  if (value.mode !== 'shadow') return undefined;
  const candidate = value.candidateLabel ?? DEFAULT_CANDIDATE_LABEL;
  if (candidate === value.label)
    return `shadow mode needs a candidate label other than the served label "${candidate}"`;
  return undefined;
}
