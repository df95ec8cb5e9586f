/**
 * Galley's OpenFeature server provider: resolves object flags from the current in-process FlagSnapshot (no I/O)
 * and emits PROVIDER_CONFIGURATION_CHANGED when a new snapshot is installed. Context: `targetingKey` = user id,
 * `tenantId`, `role`. Galley's flags are object flags; other types resolve to a TYPE_MISMATCH error.
 */
import {
  type EvaluationContext,
  FlagNotFoundError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  TypeMismatchError,
} from '@openfeature/server-sdk';
import { type FlagSnapshot, resolveFlag } from './snapshot.ts';

/** The provider's name in OpenFeature metadata. */
export const GALLEY_FLAG_PROVIDER_NAME = 'galley-flags';

/** Flag metadata key carrying the snapshot version the value came from. */
export const SNAPSHOT_VERSION_METADATA = 'snapshotVersion';

/** An OpenFeature provider over a replaceable snapshot. */
export class GalleyFlagProvider implements Provider {
  readonly metadata = Object.freeze({ name: GALLEY_FLAG_PROVIDER_NAME });
  readonly runsOn = 'server';
  readonly events = new OpenFeatureEventEmitter();
  #snapshot: FlagSnapshot;

  /** Starts serving `snapshot` (loaded before the provider is registered, so it is ready at once). */
  constructor(snapshot: FlagSnapshot) {
    this.#snapshot = snapshot;
  }

  /** The snapshot evaluations read now. */
  get snapshot(): FlagSnapshot {
    return this.#snapshot;
  }

  /** Installs a newer snapshot and tells OpenFeature clients which flags changed. */
  install(next: FlagSnapshot): void {
    const previous = this.#snapshot;
    this.#snapshot = next;
    const flagsChanged = [...next.flags.keys()].filter(
      (key) => previous.flags.get(key)?.record.version !== next.flags.get(key)?.record.version,
    );
    this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged, metadata: { version: next.version } });
  }

  /** Resolves an AI task flag (`ai.<task>`) for the context's user, tenant and role. */
  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    _defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    const snapshot = this.#snapshot;
    const resolution = resolveFlag(snapshot, flagKey, {
      userId: context.targetingKey,
      tenantId: stringOf(context.tenantId),
      role: stringOf(context.role),
    });
    if (resolution === undefined) throw new FlagNotFoundError(`no flag "${flagKey}"`);
    return {
      // The SDK types the value by the caller's default; an AI flag value is a JSON object (frozen, shared).
      value: resolution.value as unknown as T,
      variant: resolution.variant,
      reason: resolution.reason,
      flagMetadata: { [SNAPSHOT_VERSION_METADATA]: snapshot.version },
    };
  }

  /** Galley has no boolean flags. */
  async resolveBooleanEvaluation(flagKey: string): Promise<ResolutionDetails<boolean>> {
    throw new TypeMismatchError(`flag "${flagKey}" is an object flag`);
  }

  /** Galley has no string flags. */
  async resolveStringEvaluation(flagKey: string): Promise<ResolutionDetails<string>> {
    throw new TypeMismatchError(`flag "${flagKey}" is an object flag`);
  }

  /** Galley has no number flags. */
  async resolveNumberEvaluation(flagKey: string): Promise<ResolutionDetails<number>> {
    throw new TypeMismatchError(`flag "${flagKey}" is an object flag`);
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
