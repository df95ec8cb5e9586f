/**
 * Tracks which keys have operations in flight, so the kv read cache only records what an operation learnt when
 * nothing else touched the key meanwhile. Results of overlapping operations can settle in any order, and
 * caching the later-settling but earlier-executed one would serve a stale value indefinitely.
 */

interface Activity {
  /** Operations on the key still in flight. */
  running: number;
  /** True once two operations on the key overlapped; cleared when the key goes idle. */
  contended: boolean;
}

/** Per-key in-flight counter; holds entries only for keys with running operations. */
export class KeyActivity {
  readonly #keys = new Map<string, Activity>();

  /** Marks the start of an operation on `key`. */
  begin(key: string): void {
    const activity = this.#keys.get(key);
    if (activity === undefined) {
      this.#keys.set(key, { running: 1, contended: false });
      return;
    }
    activity.running += 1;
    activity.contended = true;
  }

  /** Marks the end of an operation on `key`; true when it ran alone (its result may be cached). */
  end(key: string): boolean {
    const activity = this.#keys.get(key);
    if (activity === undefined) return false;
    activity.running -= 1;
    if (activity.running === 0) this.#keys.delete(key);
    return !activity.contended;
  }
}
