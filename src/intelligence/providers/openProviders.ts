/**
 * Opens the providers a configuration enables and resolves model ids to them. Remote providers are wrapped with
 * the resilience policy (retries + the process-wide breaker of their family); the local model gets the breaker
 * only (no retry: its failures are deterministic). The local provider is passed in, so this module does not
 * depend on the local adapter.
 */
import type { Config } from '../../config/config.ts';
import { createAnthropicProvider } from './anthropic/anthropicProvider.ts';
import { ProviderError } from './errors.ts';
import { createModelRegistry, type ModelInfo, type ModelRegistry } from './models.ts';
import { createOpenAiProvider } from './openai/openaiProvider.ts';
import type { ModelProvider, ProviderName } from './port.ts';
import { type ResilienceOptions, withResilience } from './resilience.ts';

/** The settings providers are opened from. */
export type ProviderSettings = Pick<
  Config,
  'openaiBaseUrl' | 'openaiApiKey' | 'anthropicBaseUrl' | 'anthropicApiKey' | 'aiModels' | 'aiDefaultModel'
> &
  Partial<Pick<Config, 'aiJudgeModel'>>;

/** What openProviders needs besides settings. */
export interface ProviderDeps {
  /** The built-in model (providers/local), created by the caller. */
  readonly local: ModelProvider;
  /** Resilience tuning and metric hooks applied to every provider (retries are forced off for `local`). */
  readonly resilience?: ResilienceOptions;
}

/** The providers of one process. */
export interface ProviderSet {
  /** The model registry (built-ins + GALLEY_AI_MODELS). */
  readonly registry: ModelRegistry;
  /** Wrapped providers by family; absent = not configured. */
  readonly providers: ReadonlyMap<ProviderName, ModelProvider>;
  /**
   * The provider that serves `modelId` and its registry entry. Throws UnknownModelError for an unregistered id and
   * ProviderError `unavailable` (not retryable) when the model's provider is not configured.
   */
  forModel(modelId: string): { readonly provider: ModelProvider; readonly info: ModelInfo };
}

/** Opens the configured providers. Throws ConfigError for an invalid GALLEY_AI_MODELS / default model. */
export function openProviders(config: ProviderSettings, deps: ProviderDeps): ProviderSet {
  const registry = createModelRegistry(config);
  const resilience = deps.resilience ?? {};
  const providers = new Map<ProviderName, ModelProvider>();
  providers.set('local', withResilience(deps.local, { ...resilience, maxAttempts: 1 }));
  if (config.openaiBaseUrl !== undefined) {
    const openai = createOpenAiProvider({
      baseURL: config.openaiBaseUrl,
      ...(config.openaiApiKey === undefined ? {} : { apiKey: config.openaiApiKey }),
    });
    providers.set('openai', withResilience(openai, resilience));
  }
  if (config.anthropicBaseUrl !== undefined || config.anthropicApiKey !== undefined) {
    const anthropic = createAnthropicProvider({
      ...(config.anthropicBaseUrl === undefined ? {} : { baseURL: config.anthropicBaseUrl }),
      ...(config.anthropicApiKey === undefined ? {} : { apiKey: config.anthropicApiKey }),
    });
    providers.set('anthropic', withResilience(anthropic, resilience));
  }
  return {
    registry,
    providers,
    forModel(modelId) {
      const info = registry.get(modelId);
      const provider = providers.get(info.provider);
      if (provider === undefined) {
        throw new ProviderError({
          provider: info.provider,
          code: 'unavailable',
          retryable: false,
          message: `Model "${modelId}" needs the ${info.provider} provider, which is not configured (${SETTING_HINT[info.provider]})`,
        });
      }
      return { provider, info };
    },
  };
}

const SETTING_HINT: Readonly<Record<ProviderName, string>> = {
  openai: 'set GALLEY_OPENAI_BASE_URL',
  anthropic: 'set GALLEY_ANTHROPIC_API_KEY or GALLEY_ANTHROPIC_BASE_URL',
  local: 'pass the local provider',
};
