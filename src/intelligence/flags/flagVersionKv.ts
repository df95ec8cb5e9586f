/**
 * The flag-set version in the kv port: `flags:version` holds the newest version any process announced, and
 * `flags:changed` carries each new version to every process, which then reloads its snapshot from the store.
 * The store stays the source of truth (the kv may lose both, e.g. a Redis restart); the kv only makes changes
 * travel fast.
 */
import type { Kv } from '../../data/kv/port.ts';

/** The kv key holding the newest announced flag-set version. */
export const FLAGS_VERSION_KEY = 'flags:version';
/** The channel a change's version is published on. */
export const FLAGS_CHANGED_CHANNEL = 'flags:changed';

/** The announced version; 0 when absent (never announced, or the kv lost it). */
export async function readAnnouncedFlagVersion(kv: Kv): Promise<number> {
  const raw = await kv.get(FLAGS_VERSION_KEY);
  const version = raw === undefined ? 0 : Number(raw);
  return Number.isSafeInteger(version) ? version : 0;
}

/**
 * Raises `flags:version` to `version` unless it already holds as much: concurrent announcers finishing out of order
 * never move it backwards.
 */
export async function raiseAnnouncedFlagVersion(kv: Kv, version: number): Promise<void> {
  for (;;) {
    const raw = await kv.get(FLAGS_VERSION_KEY);
    const current = raw === undefined ? 0 : Number(raw);
    if (Number.isSafeInteger(current) && current >= version) return;
    if (await kv.compareAndSet(FLAGS_VERSION_KEY, raw ?? null, String(version))) return;
  }
}

/** Records `version` in the kv and tells every process about it. */
export async function announceFlagVersion(kv: Kv, version: number): Promise<void> {
  await raiseAnnouncedFlagVersion(kv, version);
  await kv.publish(FLAGS_CHANGED_CHANNEL, String(version));
}
