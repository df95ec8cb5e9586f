/** Moving labels on every backend: validated, audited, and a consistent audit chain under concurrent moves. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { setPromptLabel } from './promptLabeler.ts';
import { findLabelHash, labelHistory, resolvePromptLabel } from './promptQueries.ts';
import { registerPromptSources } from './promptRegistrar.ts';
import { makePromptDir, promptText } from './testing.ts';

async function registerVariants(t: TestStore, count: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const folder = makePromptDir({ 'titles.md': promptText('titles', { system: `Variant ${i}. Reply with JSON.` }) });
    try {
      const [result] = await registerPromptSources({ store: t.store, dir: folder.dir, actor: 'setup' });
      assert.ok(result);
      hashes.push(result.hash);
    } finally {
      folder.cleanup();
    }
  }
  return hashes;
}

function galleyCode(code: string) {
  return (error: unknown) => error instanceof GalleyError && error.code === code;
}

for (const backend of BACKENDS) {
  describe(`setPromptLabel (${backend})`, () => {
    let t: TestStore;
    let hashes: string[];
    before(async () => {
      t = await openTestStore(backend);
      hashes = await registerVariants(t, 3);
    });
    after(async () => {
      await t.cleanup();
    });

    test('moves a label and records who, why, from and to', async () => {
      const [v0, v1] = hashes;
      assert.ok(v0 && v1);
      assert.equal(await findLabelHash(t.store, 'titles', 'production'), v0);
      const change = await setPromptLabel({
        store: t.store,
        task: 'titles',
        label: 'production',
        hash: v1,
        actor: 'user-42',
        reason: 'won the eval',
      });
      assert.deepEqual(change, { task: 'titles', label: 'production', from: v0, to: v1, changed: true });
      assert.equal((await resolvePromptLabel(t.store, 'titles', 'production')).hash, v1);
      const last = (await labelHistory(t.store, 'titles')).at(-1);
      assert.deepEqual(
        last && { label: last.label, from: last.fromHash, to: last.toHash, actor: last.actor, reason: last.reason },
        { label: 'production', from: v0, to: v1, actor: 'user-42', reason: 'won the eval' },
      );
      assert.ok(last && Math.abs(last.at - Date.now()) < 60_000);
      const before = (await labelHistory(t.store, 'titles')).length;
      const same = await setPromptLabel({
        store: t.store,
        task: 'titles',
        label: 'production',
        hash: v1,
        actor: 'a',
        reason: 'r',
      });
      assert.equal(same.changed, false);
      assert.equal((await labelHistory(t.store, 'titles')).length, before);
    });

    test('refuses unknown versions, other tasks and bad label names', async () => {
      const [v0] = hashes;
      assert.ok(v0);
      const props = { store: t.store, actor: 'a', reason: 'r' } as const;
      await assert.rejects(
        setPromptLabel({ ...props, task: 'titles', label: 'production', hash: 'f'.repeat(64) }),
        galleyCode('GALLEY_NOT_FOUND'),
      );
      await assert.rejects(
        setPromptLabel({ ...props, task: 'summary', label: 'production', hash: v0 }),
        galleyCode('GALLEY_VALIDATION_FAILED'),
      );
      for (const label of ['Production', '1st', '', 'a'.repeat(33), 'with space', 'x_y']) {
        await assert.rejects(
          setPromptLabel({ ...props, task: 'titles', label, hash: v0 }),
          galleyCode('GALLEY_VALIDATION_FAILED'),
          label,
        );
      }
      await setPromptLabel({ ...props, task: 'titles', label: 'shadow-2', hash: v0 });
      assert.equal(await findLabelHash(t.store, 'titles', 'shadow-2'), v0);
    });

    test('concurrent moves leave an unbroken audit chain', async () => {
      const moves = Array.from({ length: 12 }, (_, i) => hashes[i % hashes.length] ?? '');
      await Promise.all(
        moves.map((hash, i) =>
          setPromptLabel({ store: t.store, task: 'titles', label: 'race', hash, actor: `p${i}`, reason: 'race' }),
        ),
      );
      const chain = (await labelHistory(t.store, 'titles')).filter((e) => e.label === 'race');
      assert.equal(chain[0]?.fromHash, null);
      for (let i = 1; i < chain.length; i += 1) {
        assert.equal(chain[i]?.fromHash, chain[i - 1]?.toHash, `event ${i}`);
        assert.notEqual(chain[i]?.fromHash, chain[i]?.toHash);
      }
      assert.equal(await findLabelHash(t.store, 'titles', 'race'), chain.at(-1)?.toHash);
    });
  });
}
