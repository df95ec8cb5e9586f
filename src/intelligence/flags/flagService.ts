/**
 * The flag service of one process: loads the flag snapshot from the store, registers Galley's OpenFeature
 * provider over it under a domain of its own (so several services in one process, e.g. tests, never share
 * OpenFeature's global default), keeps the snapshot current (snapshotSync.ts) and evaluates AI task flags through
 * the OpenFeature client. Evaluation reads only the in-process snapshot.
 */
import { randomUUID } from 'node:crypto';
import { type JsonValue, NOOP_PROVIDER, OpenFeature } from '@openfeature/server-sdk';
import type { Config } from '../../config/config.ts';
import type { Kv } from '../../data/kv/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { TaskName } from '../tasks.ts';
import { AI_FLAG_MODES, type AiFlagValue, aiFlagKey, BUILT_IN_FALLBACK_MODEL, BUILT_IN_LABEL } from './definition.ts';
import { type FlagChange, type FlagRecord, flagHistory, getFlag, listFlags } from './flagQueries.ts';
import { type FlagSetResult, setFlag } from './flagSetter.ts';
import { GalleyFlagProvider, SNAPSHOT_VERSION_METADATA } from './provider.ts';
import { completeValue } from './snapshot.ts';
import { loadFlagSnapshot, startSnapshotSync } from './snapshotSync.ts';

/** Who runs an AI task: the targeting attributes of the evaluation. */
export interface AiTaskCaller {
  readonly tenantId: string;
  /** Membership role of the caller in the tenant (`owner` … `viewer`). */
  readonly role: string;
  /** The user (or service account) id; the percentage rules' sticky key. */
  readonly userId: string;
}

/** The outcome of evaluating a task's flag. */
export interface AiTaskFlagEvaluation {
  /** Frozen; `candidateLabel` and `shadowSampleRate` are always filled. */
  readonly value: AiFlagValue;
  /** The matching rule's id, `default`, or `error` when evaluation failed. */
  readonly variant: string;
  /** OpenFeature reason: TARGETING_MATCH, DEFAULT, STATIC, or ERROR (then `value.mode` is `off`: fail closed). */
  readonly reason: string;
  /** The flag-set version of the snapshot that answered (0 = no flag ever set). */
  readonly snapshotVersion: number;
}

/** The flag service of one process. */
export interface FlagService {
  /** The OpenFeature domain this service's provider is bound to. */
  readonly domain: string;
  /** Evaluates `ai.<task>` for the caller, in-process. Never rejects for a flag problem: it fails closed (off). */
  evaluateAiTask(task: TaskName, caller: AiTaskCaller): Promise<AiTaskFlagEvaluation>;
  /**
   * Sets a flag (see flagSetter.ts) and installs the change in this process's snapshot before resolving;
   * other processes see it within a second.
   */
  setFlag(definition: unknown, actor: string, options?: { readonly expectedVersion?: number }): Promise<FlagSetResult>;
  /** The flag `key` as stored (or built-in). GALLEY_NOT_FOUND when the key names no task. */
  getFlag(key: string): Promise<FlagRecord>;
  /** Every task's flag, in TASK_NAMES order. */
  listFlags(): Promise<readonly FlagRecord[]>;
  /** The changes of flag `key`, newest first. */
  history(key: string, limit?: number): Promise<readonly FlagChange[]>;
  /** The version of the snapshot evaluations read now. */
  snapshotVersion(): number;
  /** Reloads the snapshot from the store now. */
  refresh(): Promise<void>;
  /** Stops following changes and unbinds the provider. */
  close(): Promise<void>;
}

/** Input of openFlagService. */
export interface FlagServiceOptions {
  readonly store: Store;
  readonly kv: Kv;
  readonly config: Config;
  /** Safety-net poll of the store, in milliseconds (default 3000). */
  readonly pollIntervalMs?: number;
  /** OpenFeature domain (default: a unique one per service). */
  readonly domain?: string;
  /** Told about failed background reloads (default: ignored; the old snapshot stays and the next poll retries). */
  readonly onError?: (error: unknown) => void;
}

/** Default safety-net poll period. */
export const DEFAULT_FLAG_POLL_INTERVAL_MS = 3000;

/** Loads the snapshot, registers the provider and starts following changes. */
export async function openFlagService(options: FlagServiceOptions): Promise<FlagService> {
  const { store, kv, config } = options;
  const defaultModel = config.aiDefaultModel;
  const domain = options.domain ?? `galley-flags-${randomUUID()}`;
  const provider = new GalleyFlagProvider(await loadFlagSnapshot(store.db, defaultModel));
  await OpenFeature.setProviderAndWait(domain, provider);
  const client = OpenFeature.getClient(domain);
  const sync = await startSnapshotSync({
    db: store.db,
    kv,
    defaultModel,
    current: () => provider.snapshot,
    install: (snapshot) => provider.install(snapshot),
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_FLAG_POLL_INTERVAL_MS,
    onError: options.onError ?? (() => undefined),
  });
  // Returned when OpenFeature reports an error: the task does not run.
  const failClosed = completeValue({
    mode: 'off',
    label: BUILT_IN_LABEL,
    model: defaultModel,
    fallbackModel: BUILT_IN_FALLBACK_MODEL,
  });

  return Object.freeze({
    domain,
    async evaluateAiTask(task: TaskName, caller: AiTaskCaller): Promise<AiTaskFlagEvaluation> {
      const details = await client.getObjectDetails(aiFlagKey(task), failClosed as unknown as JsonValue, {
        targetingKey: caller.userId,
        tenantId: caller.tenantId,
        role: caller.role,
      });
      const version = details.flagMetadata[SNAPSHOT_VERSION_METADATA];
      const snapshotVersion = typeof version === 'number' ? version : provider.snapshot.version;
      if (details.errorCode !== undefined || !isAiFlagValue(details.value)) {
        return { value: failClosed, variant: 'error', reason: 'ERROR', snapshotVersion };
      }
      return {
        value: details.value,
        variant: details.variant ?? 'default',
        reason: details.reason ?? 'UNKNOWN',
        snapshotVersion,
      };
    },
    async setFlag(definition: unknown, actor: string, setOptions: { readonly expectedVersion?: number } = {}) {
      const result = await setFlag({ db: store.db, kv, definition, actor, defaultModel, ...setOptions });
      if (result.changed) await sync.refresh();
      return result;
    },
    getFlag: (key: string) => getFlag(store.db, key, defaultModel),
    listFlags: async () => (await listFlags(store.db, defaultModel)).flags,
    history: (key: string, limit?: number) => flagHistory(store.db, key, limit),
    snapshotVersion: () => provider.snapshot.version,
    refresh: () => sync.refresh(),
    async close() {
      await sync.stop();
      // Rebinding the domain drops the provider (and its snapshot) from OpenFeature's registry.
      await OpenFeature.setProviderAndWait(domain, NOOP_PROVIDER);
    },
  });
}

/** Narrows an OpenFeature JSON value to a flag value (the provider only ever returns complete ones). */
function isAiFlagValue(value: JsonValue): value is AiFlagValue & JsonValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return (
    typeof value.mode === 'string' &&
    (AI_FLAG_MODES as readonly string[]).includes(value.mode) &&
    typeof value.label === 'string' &&
    typeof value.model === 'string' &&
    typeof value.fallbackModel === 'string'
  );
}
