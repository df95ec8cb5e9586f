/**
 * Keeps one process's flag snapshot current. Two paths lead to a reload from the store:
 *
 * - fast: every change is published on `flags:changed` (kv pub/sub: in-process on embedded, Redis on distributed);
 *   a version above the installed one triggers a reload, well within a second;
 * - safety net: every `pollIntervalMs` the process reads the flag-set version from the store. The store, not the
 *   kv, because the kv can miss a change: Redis may restart and lose `flags:version`, and on embedded a `galley
 *   flags` command run as a separate process publishes only to itself. The poll also repairs `flags:version` when
 *   the kv has lost it.
 *
 * Reloads are single-flight: requests arriving during one reload cause exactly one more.
 */

import type { Kysely } from 'kysely';
import type { Kv } from '../../data/kv/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { listFlags, readFlagSetVersion } from './flagQueries.ts';
import { FLAGS_CHANGED_CHANNEL, raiseAnnouncedFlagVersion, readAnnouncedFlagVersion } from './flagVersionKv.ts';
import { buildSnapshot, type FlagSnapshot } from './snapshot.ts';

/** Loads every task's flag from the store into a new snapshot. */
export async function loadFlagSnapshot(db: Kysely<Database>, defaultModel: string): Promise<FlagSnapshot> {
  const { version, flags } = await listFlags(db, defaultModel);
  return buildSnapshot(version, flags);
}

/** Input of startSnapshotSync. */
export interface SnapshotSyncProps {
  readonly db: Kysely<Database>;
  readonly kv: Kv;
  readonly defaultModel: string;
  /** The snapshot in use now. */
  readonly current: () => FlagSnapshot;
  /** Installs a newer snapshot. */
  readonly install: (snapshot: FlagSnapshot) => void;
  /** Safety-net poll period in milliseconds. */
  readonly pollIntervalMs: number;
  /** Told about failed background reloads (the old snapshot stays in use; the next poll retries). */
  readonly onError: (error: unknown) => void;
}

/** A running synchronizer. */
export interface SnapshotSync {
  /** Reloads now (unless a reload that started after this call already covers it) and resolves when done. */
  refresh(): Promise<void>;
  /** Unsubscribes and stops polling. */
  stop(): Promise<void>;
}

/** Subscribes to changes and starts the poll. */
export async function startSnapshotSync(props: SnapshotSyncProps): Promise<SnapshotSync> {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const reloadOnce = async () => {
    const next = await loadFlagSnapshot(props.db, props.defaultModel);
    if (!stopped && next.version > props.current().version) props.install(next);
  };
  const refresh = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await reloadOnce();
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const background = () => {
    refresh().catch(props.onError);
  };

  const unsubscribe = await props.kv.subscribe(FLAGS_CHANGED_CHANNEL, (message) => {
    const version = Number(message);
    if (!Number.isSafeInteger(version) || version > props.current().version) background();
  });

  const poll = async () => {
    const stored = await readFlagSetVersion(props.db);
    if (stored > props.current().version) background();
    if (stored > 0 && (await readAnnouncedFlagVersion(props.kv)) < stored) {
      await raiseAnnouncedFlagVersion(props.kv, stored);
    }
  };
  const timer = setInterval(() => {
    poll().catch(props.onError);
  }, props.pollIntervalMs);
  timer.unref();

  return {
    // A reload already under way may have read the store before the caller's change; refresh() then queues one
    // more pass and resolves after it.
    refresh,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unsubscribe();
      await running?.catch(() => undefined);
    },
  };
}
