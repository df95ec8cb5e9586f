/**
 * Embedded cache adapter: every named cache is an lru-cache in this process (the local tier alone). Embedded
 * Galley is one process, so deleting a key here invalidates it everywhere.
 */
import { CacheRegistry } from '../localTier.ts';
import type { CacheProvider } from '../port.ts';

/** Creates the in-process cache provider. */
export function createMemoryCacheProvider(): CacheProvider {
  const registry = new CacheRegistry();
  return {
    create: (name, options) => registry.create(name, options),
    all: () => registry.all(),
    async close() {
      for (const cache of registry.all()) cache.clearLocal();
    },
  };
}
