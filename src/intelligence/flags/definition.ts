/**
 * What an AI task flag is: its value (`AiFlagValue`: mode, prompt label, model, fallback model, shadow settings), its
 * definition (a default value and ordered targeting rules) and the built-in definition a task has until someone
 * sets its flag. Types are inferred from the TypeBox schemas that validate definitions (definitionValidator.ts).
 */
import { type Static, Type } from 'typebox';
import { MEMBER_ROLES, type MemberRole } from '../../data/store/schema.ts';
import { TASK_NAMES, type TaskName } from '../tasks.ts';

/** The flag of an AI task: `ai.<task>`. */
export type AiFlagKey = `ai.${TaskName}`;

/** Every AI task flag key, in TASK_NAMES order. */
export const AI_FLAG_KEYS: readonly AiFlagKey[] = Object.freeze(TASK_NAMES.map((task): AiFlagKey => `ai.${task}`));

/** How a task runs: `off` (refused), `shadow` (production answers, the candidate runs on a sample), `on`. */
export const AI_FLAG_MODES = Object.freeze(['off', 'shadow', 'on'] as const);

/** The candidate prompt label shadow mode runs when the flag names none. */
export const DEFAULT_CANDIDATE_LABEL = 'candidate';
/** The share of shadow-mode calls that also run the candidate, when the flag names none. */
export const DEFAULT_SHADOW_SAMPLE_RATE = 0.1;
/** The model a task falls back to when its model fails and the flag names none: Galley's offline model. */
export const BUILT_IN_FALLBACK_MODEL = 'galley-local-1';
/** The prompt label a task serves when its flag was never set. */
export const BUILT_IN_LABEL = 'production';

/** At most this many rules per flag: evaluation walks them in order. */
export const MAX_FLAG_RULES = 50;

const label = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' });
const model = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S+$' });

const valueFields = {
  mode: Type.Enum(AI_FLAG_MODES, { description: 'off | shadow | on' }),
  /** Prompt label served (H4 prompt registry): `production`, `candidate`, … */
  label,
  model,
  fallbackModel: model,
  candidateLabel: Type.Optional(label),
  shadowSampleRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
};

/** Schema of a complete flag value. */
export const AiFlagValueSchema = Type.Object(valueFields, { additionalProperties: false });

/** Schema of the part of a value a rule overrides (at least one field). */
export const AiFlagValuePatchSchema = Type.Object(
  {
    mode: Type.Optional(valueFields.mode),
    label: Type.Optional(label),
    model: Type.Optional(model),
    fallbackModel: Type.Optional(model),
    candidateLabel: Type.Optional(label),
    shadowSampleRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Schema of one targeting rule. All conditions it names must hold; a rule naming none matches everyone. */
export const FlagRuleSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
    /** Tenant ids; matches when the caller's tenant is one of them. */
    tenants: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    ),
    /** Membership roles; matches when the caller's role is one of them. */
    roles: Type.Optional(Type.Array(Type.Enum(MEMBER_ROLES), { minItems: 1, uniqueItems: true })),
    /** 0–100: matches that share of users, sticky by sha256(flag key + ':' + user id). */
    percentage: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    value: AiFlagValuePatchSchema,
  },
  { additionalProperties: false },
);

/** Schema of a flag definition. */
export const FlagDefinitionSchema = Type.Object(
  {
    key: Type.Enum(AI_FLAG_KEYS, { description: 'ai.<task>' }),
    default: AiFlagValueSchema,
    rules: Type.Array(FlagRuleSchema, { maxItems: MAX_FLAG_RULES }),
  },
  { additionalProperties: false },
);

/**
 * The value an AI task runs with. Evaluated values (FlagService.evaluateAiTask) always carry `candidateLabel` and
 * `shadowSampleRate`, filled with DEFAULT_CANDIDATE_LABEL and DEFAULT_SHADOW_SAMPLE_RATE when the flag names none.
 */
export type AiFlagValue = Readonly<Static<typeof AiFlagValueSchema>>;

/** Mode of a flag value. */
export type AiFlagMode = AiFlagValue['mode'];

/** A rule's override of the default value. */
export type AiFlagValuePatch = Readonly<Static<typeof AiFlagValuePatchSchema>>;

/** One targeting rule; the first rule (in order) whose conditions all hold gives the value. */
export type FlagRule = Readonly<Omit<Static<typeof FlagRuleSchema>, 'tenants' | 'roles' | 'value'>> & {
  readonly tenants?: readonly string[];
  readonly roles?: readonly MemberRole[];
  readonly value: AiFlagValuePatch;
};

/** A validated flag definition (immutable). */
export interface FlagDefinition {
  readonly key: AiFlagKey;
  readonly default: AiFlagValue;
  readonly rules: readonly FlagRule[];
}

/** The flag key of a task. */
export function aiFlagKey(task: TaskName): AiFlagKey {
  return `ai.${task}`;
}

/** The task a flag key names, or undefined when it names none. */
export function taskOfFlagKey(key: string): TaskName | undefined {
  if (!key.startsWith('ai.')) return undefined;
  const task = key.slice(3);
  return TASK_NAMES.find((t) => t === task);
}

/**
 * The definition a task's flag has until it is first set: on, the `production` prompt label, the configured
 * default model (GALLEY_AI_DEFAULT_MODEL) and the offline model as fallback; no rules.
 */
export function builtInFlagDefinition(task: TaskName, defaultModel: string): FlagDefinition {
  return deepFreeze({
    key: aiFlagKey(task),
    default: { mode: 'on', label: BUILT_IN_LABEL, model: defaultModel, fallbackModel: BUILT_IN_FALLBACK_MODEL },
    rules: [],
  });
}

/** Freezes a plain JSON value and everything inside it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
