/**
 * Everything the gateway needs in one process, opened once per data plane and shared by the API routes and the
 * `ai.call` worker of that process: providers and the model registry, the prompt catalog, the flag service,
 * budgets, tenant settings, the memo and the job-completion hub. Prompt sources are registered by start-up
 * (`galley serve`, the eval runner), not here: the runtime only reads versions and labels. Reference-counted: the API and the worker each
 * acquire it and release it when they close; the last release closes it.
 */
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { GalleyMetrics } from '../../ops/metrics/registry.ts';
import { type BudgetGuard, createBudgetGuard } from '../budgets/budgetGuard.ts';
import { type BudgetReadings, createBudgetReadings } from '../budgets/budgetReadings.ts';
import { createTenantAiSettingsReader, type TenantAiSettingsReader } from '../budgets/tenantAiSettings.ts';
import { type FlagService, openFlagService } from '../flags/flagService.ts';
import { createMemo, type Memo } from '../memo/memo.ts';
import { createPromptCatalog, type PromptCatalog } from '../prompts/promptCatalog.ts';
import { createLocalProvider } from '../providers/local/localProvider.ts';
import { openProviders, type ProviderSet } from '../providers/openProviders.ts';
import { type JobCompletions, openJobCompletions } from './jobCompletions.ts';

/** The gateway's dependencies in one process. */
export interface AiRuntime {
  readonly plane: DataPlane;
  readonly config: Config;
  readonly metrics: GalleyMetrics | undefined;
  readonly providers: ProviderSet;
  readonly prompts: PromptCatalog;
  readonly flags: FlagService;
  readonly budgets: BudgetGuard;
  readonly settings: TenantAiSettingsReader;
  readonly memo: Memo;
  readonly completions: JobCompletions;
  /** Month-to-date usage ratios for the budget gauge. */
  readonly budgetReadings: BudgetReadings;
}

/** A held runtime; `release` once when done with it. */
export interface AiRuntimeLease {
  readonly runtime: AiRuntime;
  release(): Promise<void>;
}

interface Shared {
  readonly runtime: Promise<AiRuntime>;
  users: number;
}

const SHARED = new WeakMap<DataPlane, Shared>();

async function open(plane: DataPlane, config: Config, metrics: GalleyMetrics | undefined): Promise<AiRuntime> {
  const providers = openProviders(config, {
    local: createLocalProvider(),
    resilience: {},
  });
  const [flags, prompts, completions] = await Promise.all([
    openFlagService({
      store: plane.store,
      kv: plane.kv,
      config,
      onError: (error) =>
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'GALLEY_FLAGS' }),
    }),
    Promise.resolve(createPromptCatalog(plane.store, plane.kv)),
    openJobCompletions(plane.kv),
  ]);
  const budgetReadings = createBudgetReadings();
  metrics?.useSources({ budgets: () => budgetReadings.summary() });
  return Object.freeze({
    budgetReadings,
    plane,
    config,
    metrics,
    providers,
    prompts,
    flags,
    budgets: createBudgetGuard(plane.kv),
    settings: createTenantAiSettingsReader(plane.store, config),
    memo: createMemo(plane.caches, plane.store, config.aiMemoTtlSeconds),
    completions,
  });
}

async function closeRuntime(runtime: AiRuntime): Promise<void> {
  await Promise.allSettled([runtime.flags.close(), runtime.prompts.close(), runtime.completions.close()]);
}

/** Acquires the plane's runtime, opening it on first use. */
export async function acquireAiRuntime(
  plane: DataPlane,
  config: Config,
  metrics?: GalleyMetrics,
): Promise<AiRuntimeLease> {
  let shared = SHARED.get(plane);
  if (shared === undefined) {
    shared = { runtime: open(plane, config, metrics), users: 0 };
    SHARED.set(plane, shared);
  }
  const held = shared;
  held.users += 1;
  let runtime: AiRuntime;
  try {
    runtime = await held.runtime;
  } catch (error) {
    held.users -= 1;
    if (SHARED.get(plane) === held) SHARED.delete(plane);
    throw error;
  }
  let released = false;
  return {
    runtime,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0) return;
      if (SHARED.get(plane) === held) SHARED.delete(plane);
      await closeRuntime(runtime);
    },
  };
}
