/**
 * The model registry: which models Galley can call, through which provider, at what price. Built-in entries carry
 * the providers' published list prices (USD per 1,000 tokens, standard tier, no caching discounts);
 * `GALLEY_AI_MODELS` adds models or overrides built-ins by id (e.g. a self-hosted model behind the openai adapter,
 * or a negotiated price). Invalid JSON there stops start-up with a ConfigError naming the setting.
 */
import { ConfigError } from '../../config/settings.ts';
import { UnknownModelError } from './errors.ts';
import type { ModelUsage, ProviderName } from './port.ts';

/** One callable model. */
export interface ModelInfo {
  /** Model id as the provider knows it. */
  readonly id: string;
  readonly provider: ProviderName;
  /** USD per 1,000 prompt tokens. */
  readonly inputPer1k: number;
  /** USD per 1,000 completion tokens. */
  readonly outputPer1k: number;
}

/** Every provider family (the values GALLEY_AI_MODELS may name). */
export const PROVIDER_NAMES: readonly ProviderName[] = Object.freeze(['openai', 'anthropic', 'local']);

/** Models Galley knows without configuration. */
export const BUILTIN_MODELS: readonly ModelInfo[] = Object.freeze(
  [
    { id: 'galley-local-1', provider: 'local', inputPer1k: 0, outputPer1k: 0 },
    { id: 'gpt-4o-mini', provider: 'openai', inputPer1k: 0.00015, outputPer1k: 0.0006 },
    { id: 'gpt-4.1-mini', provider: 'openai', inputPer1k: 0.0004, outputPer1k: 0.0016 },
    { id: 'gpt-4o', provider: 'openai', inputPer1k: 0.0025, outputPer1k: 0.01 },
    { id: 'claude-haiku-4-5', provider: 'anthropic', inputPer1k: 0.001, outputPer1k: 0.005 },
    { id: 'claude-sonnet-4-5', provider: 'anthropic', inputPer1k: 0.003, outputPer1k: 0.015 },
  ].map((m) => Object.freeze(m as ModelInfo)),
);

/** The registry a process uses. */
export interface ModelRegistry {
  /** The model with this id; throws UnknownModelError when there is none. */
  get(id: string): ModelInfo;
  /** True when the id is registered. */
  has(id: string): boolean;
  /** Every model, built-ins first (overrides in place), then added ones. */
  list(): readonly ModelInfo[];
}

/** The settings the registry reads. */
export interface ModelRegistrySettings {
  /** Raw GALLEY_AI_MODELS JSON. */
  readonly aiModels: string | undefined;
  /** When given, must name a registered model (GALLEY_AI_DEFAULT_MODEL). */
  readonly aiDefaultModel?: string;
  /** When given, must name a registered model (GALLEY_AI_JUDGE_MODEL). */
  readonly aiJudgeModel?: string | undefined;
}

/** Builds the registry: built-ins merged with GALLEY_AI_MODELS (same id = override). Throws ConfigError. */
export function createModelRegistry(settings: ModelRegistrySettings): ModelRegistry {
  const models = new Map<string, ModelInfo>(BUILTIN_MODELS.map((m) => [m.id, m]));
  for (const model of parseModels(settings.aiModels)) models.set(model.id, model);
  for (const [env, id] of [
    ['GALLEY_AI_DEFAULT_MODEL', settings.aiDefaultModel],
    ['GALLEY_AI_JUDGE_MODEL', settings.aiJudgeModel],
  ] as const) {
    if (id !== undefined && !models.has(id)) {
      throw new ConfigError(env, `model "${id}" is not in the registry (built-ins or GALLEY_AI_MODELS)`);
    }
  }
  const list = Object.freeze([...models.values()]);
  return {
    get(id) {
      const info = models.get(id);
      if (info === undefined) throw new UnknownModelError(id);
      return info;
    },
    has: (id) => models.has(id),
    list: () => list,
  };
}

/** USD cost of one call's usage, rounded to 1e-6 (a millionth of a dollar). */
export function costUsd(info: ModelInfo, usage: ModelUsage): number {
  const raw = (usage.inputTokens * info.inputPer1k + usage.outputTokens * info.outputPer1k) / 1000;
  return Math.round(raw * 1e6) / 1e6;
}

const ENV = 'GALLEY_AI_MODELS';

function parseModels(raw: string | undefined): ModelInfo[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(ENV, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Array.isArray(parsed))
    throw new ConfigError(ENV, 'expected a JSON array of {"id","provider","inputPer1k","outputPer1k"}');
  const seen = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const model = parseModel(entry, index);
    if (seen.has(model.id)) throw new ConfigError(ENV, `entry ${index}: model "${model.id}" is listed twice`);
    seen.add(model.id);
    return model;
  });
}

function parseModel(entry: unknown, index: number): ModelInfo {
  const where = `entry ${index}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(ENV, `${where}: expected an object`);
  }
  const { id, provider, inputPer1k, outputPer1k, ...rest } = entry as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ConfigError(ENV, `${where}: unknown field(s) ${extra.join(', ')}`);
  if (typeof id !== 'string' || id.trim() === '')
    throw new ConfigError(ENV, `${where}: "id" must be a non-empty string`);
  if (typeof provider !== 'string' || !(PROVIDER_NAMES as readonly string[]).includes(provider)) {
    throw new ConfigError(
      ENV,
      `${where} ("${id}"): "provider" must be one of ${PROVIDER_NAMES.join(', ')}, got ${JSON.stringify(provider)}`,
    );
  }
  return Object.freeze({
    id,
    provider: provider as ProviderName,
    inputPer1k: price(inputPer1k, 'inputPer1k', `${where} ("${id}")`),
    outputPer1k: price(outputPer1k, 'outputPer1k', `${where} ("${id}")`),
  });
}

function price(value: unknown, field: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(ENV, `${where}: "${field}" must be a non-negative number (USD per 1,000 tokens)`);
  }
  return value;
}
