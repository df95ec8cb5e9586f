/**
 * The hot-path view of prompts for the gateway: versions by hash and by label, cached.
 *
 * - Versions are immutable, so once read they are kept for the life of the process (concurrent misses share one
 *   query).
 * - Label lookups are cached per (task, label). Any process that moves a label publishes on
 *   `prompts:labels` (labelChannel.ts); every catalog subscribed to the same kv drops that entry on receipt
 *   (within a second, per the kv contract). A lookup that was in flight when a notice arrived is not cached, so
 *   it cannot put the old pointer back. A short TTL bounds staleness if a notice is ever lost (Redis reconnect,
 *   a CLI on another host without a kv).
 */
import type { Kv } from '../../data/kv/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import type { TaskName } from '../tasks.ts';
import { PROMPT_LABELS_CHANNEL, parseLabelNotice } from './labelChannel.ts';
import { type PromptLabelChange, type SetPromptLabelProps, setPromptLabel } from './promptLabeler.ts';
import { findLabelHash, getPromptVersion } from './promptQueries.ts';
import type { PromptVersion } from './promptVersion.ts';
import type { PromptStore } from './tables.ts';

/** Options of a catalog. */
export interface PromptCatalogOptions {
  /** How long a label lookup may be served from memory without a notice (default 10 s). */
  readonly labelTtlMs?: number;
}

/** Cached access to prompt versions and labels. */
export interface PromptCatalog {
  /** The version with this exact hash; GALLEY_NOT_FOUND when absent. */
  byHash(hash: string): Promise<PromptVersion>;
  /** The version `label` of `task` points at; GALLEY_NOT_FOUND when there is no such label. */
  byLabel(task: TaskName, label: string): Promise<PromptVersion>;
  /** Moves a label (setPromptLabel) and announces it to every catalog on the kv. */
  setLabel(props: Omit<SetPromptLabelProps, 'store' | 'kv'>): Promise<PromptLabelChange>;
  /** Stops listening for notices. */
  close(): Promise<void>;
}

/** Default label TTL. */
export const DEFAULT_LABEL_TTL_MS = 10_000;

interface CachedLabel {
  readonly hash: string;
  readonly expiresAt: number;
}

/** A catalog over `store`, kept coherent through `kv` pub/sub. */
export function createPromptCatalog(store: PromptStore, kv: Kv, options: PromptCatalogOptions = {}): PromptCatalog {
  const ttlMs = options.labelTtlMs ?? DEFAULT_LABEL_TTL_MS;
  const versions = new Map<string, Promise<PromptVersion>>();
  const labels = new Map<string, CachedLabel>();
  let generation = 0;
  let listening = false;

  const invalidate = (message: string): void => {
    generation += 1;
    const notice = parseLabelNotice(message);
    if (notice === undefined) labels.clear();
    else labels.delete(`${notice.task}:${notice.label}`);
  };
  // Until the subscription is live, nothing is cached: a notice sent before it would be missed.
  const ready: Promise<(() => Promise<void>) | undefined> = kv.subscribe(PROMPT_LABELS_CHANNEL, invalidate).then(
    (unsubscribe) => {
      listening = true;
      return unsubscribe;
    },
    () => undefined, // no pub/sub: every label lookup reads the store
  );

  const byHash = (hash: string): Promise<PromptVersion> => {
    const cached = versions.get(hash);
    if (cached !== undefined) return cached;
    const loading = getPromptVersion(store, hash);
    versions.set(hash, loading);
    loading.catch(() => versions.delete(hash)); // only found versions are immutable facts
    return loading;
  };

  const labelHash = async (task: TaskName, label: string): Promise<string> => {
    await ready;
    const key = `${task}:${label}`;
    const cached = labels.get(key);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.hash;
    const seen = generation;
    const hash = await findLabelHash(store, task, label);
    if (hash === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `task "${task}" has no prompt label "${label}"`);
    if (listening && seen === generation) labels.set(key, { hash, expiresAt: Date.now() + ttlMs });
    return hash;
  };

  return Object.freeze({
    byHash,
    async byLabel(task: TaskName, label: string) {
      return byHash(await labelHash(task, label));
    },
    async setLabel(props: Omit<SetPromptLabelProps, 'store' | 'kv'>) {
      const change = await setPromptLabel({ ...props, store, kv });
      // This process may not receive its own notice before its next lookup.
      if (change.changed) invalidate(JSON.stringify({ task: change.task, label: change.label, hash: change.to }));
      return change;
    },
    async close() {
      listening = false;
      labels.clear();
      const unsubscribe = await ready;
      if (unsubscribe !== undefined) await unsubscribe();
    },
  });
}
