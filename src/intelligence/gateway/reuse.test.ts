/**
 * Near-duplicate reuse end to end on every backend: after a small edit the editor's last suggestion answers again
 * without a model call (audited as `reused`, marked in the result); a larger edit, another editor, the PII task and
 * a threshold of 1 all make a fresh call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildPrincipal } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import { patchEntry } from '../../content/entries/entryPatcher.ts';
import type { Entry } from '../../content/entries/types.ts';
import { reuseThreshold } from '../tasks.ts';
import { requestAiTask } from './aiTaskRequester.ts';
import type { AiTaskOutcome } from './callAnswerer.ts';
import { aiDb } from './tables.ts';
import { type AiBench, openAiBench } from './testing.ts';

const BODY = [
  'The city council voted 31 to 12 on Tuesday to build a new tram line linking the central station with the harbour district.',
  'Construction is expected to start in spring 2027 and cost about 240 million euros, according to the transport department.',
  'Residents of the harbour district have campaigned for a direct connection for more than a decade.',
  'Opponents argued that the money would be better spent on bus services in the northern suburbs.',
  'The first trams are due to run in 2030, the mayor said after the vote.',
].join(' ');
const SMALL_EDIT = ' Tickets will cost the same as on buses.';
const LARGE_EDIT =
  ' A public consultation on the route opens next month. Shop owners on the harbour road fear years of building work.' +
  ' The opposition wants a referendum before any contract is signed. The transport union welcomed the decision.';

function queued(outcome: AiTaskOutcome): string {
  assert.equal(outcome.kind, 'queued');
  return outcome.kind === 'queued' ? outcome.jobId : '';
}

for (const backend of BACKENDS) {
  describe(`near-duplicate reuse (${backend})`, () => {
    let bench: AiBench;
    before(async () => {
      bench = await openAiBench(backend);
      bench.startWorker();
    });
    after(async () => {
      await bench.cleanup();
    });

    const edit = (entry: Entry, body: string): Promise<Entry> =>
      patchEntry({
        store: bench.test.store,
        actor: bench.editor,
        tenantId: bench.tenantId,
        id: entry.id,
        fields: { body },
        expectedVersion: entry.version,
      });
    const modelCalls = async (entryId: string) =>
      (
        await aiDb(bench.test.store.db)
          .selectFrom('ai_calls')
          .select('status')
          .where('entry_id', '=', entryId)
          .where('cache_hit', '=', 0)
          .execute()
      ).length;

    test('a small edit reuses the last answer; a larger one asks the model again', async () => {
      const entry = await bench.entry({ title: 'Council approves tram line 1', body: BODY, tags: ['transport'] });
      const first = await bench.ask(entry.id, 'seo');
      const computed = await bench.result(queued(first));
      assert.equal(computed.status, 'ok');

      const v2 = await edit(entry, BODY + SMALL_EDIT);
      const second = await bench.ask(v2.id, 'seo');
      assert.equal(second.kind, 'done', 'answered without a job');
      if (second.kind !== 'done') return;
      assert.equal(second.result.reusedFrom?.callKey, first.callKey);
      assert.ok((second.result.reusedFrom?.similarity ?? 0) >= reuseThreshold('seo', bench.config.aiReuseSimilarity));
      assert.notEqual(second.callKey, first.callKey, 'a different input is a different call');
      assert.deepEqual(second.result.output, computed.output);
      assert.equal(await modelCalls(entry.id), 1);
      const audit = await aiDb(bench.test.store.db)
        .selectFrom('ai_calls')
        .select(['status', 'cache_hit', 'tokens_in'])
        .where('call_key', '=', second.callKey)
        .execute();
      assert.deepEqual(audit, [{ status: 'reused', cache_hit: 1, tokens_in: 0 }]);

      // Drift is measured from the input the model read, not from the reused step: this edit is large from there.
      const v3 = await edit(v2, BODY + SMALL_EDIT + LARGE_EDIT);
      const third = await bench.ask(v3.id, 'seo');
      await bench.result(queued(third));
      assert.equal(await modelCalls(entry.id), 2);
    });

    test('summary reuses only at its own, stricter threshold', async () => {
      const entry = await bench.entry({ title: 'Council approves tram line 2', body: BODY, tags: ['transport'] });
      await bench.result(queued(await bench.ask(entry.id, 'summary')));
      await bench.result(queued(await bench.ask(entry.id, 'titles')));
      const v2 = await edit(entry, BODY + SMALL_EDIT);
      const titles = await bench.ask(v2.id, 'titles');
      assert.equal(titles.kind, 'done');
      const similarity = titles.kind === 'done' ? (titles.result.reusedFrom?.similarity ?? 0) : 0;
      assert.ok(similarity < reuseThreshold('summary', bench.config.aiReuseSimilarity), `${similarity}`);
      await bench.result(queued(await bench.ask(v2.id, 'summary')));
    });

    test('another editor, and the PII check, never reuse', async () => {
      const entry = await bench.entry({ title: 'Council approves tram line 3', body: BODY, tags: ['transport'] });
      await bench.result(queued(await bench.ask(entry.id, 'titles')));
      await bench.result(queued(await bench.ask(entry.id, 'pii')));
      const v2 = await edit(entry, `${BODY} Call Anna Schmidt on +49 30 9876 5432.`);
      const colleague = buildPrincipal({ tenantId: bench.tenantId, role: 'editor' });
      const theirs = await requestAiTask({
        runtime: bench.runtime,
        actor: colleague,
        tenantId: bench.tenantId,
        entryId: v2.id,
        task: 'titles',
      });
      await bench.result(queued(theirs));
      const pii = await bench.result(queued(await bench.ask(v2.id, 'pii')));
      const found = JSON.stringify(pii.output);
      assert.ok(found.includes('9876'), `the new phone number is found: ${found}`);
      assert.equal(await modelCalls(entry.id), 4);
    });
  });

  describe(`near-duplicate reuse switched off (${backend})`, () => {
    let bench: AiBench;
    before(async () => {
      bench = await openAiBench(backend, { aiReuseSimilarity: 1 });
      bench.startWorker();
    });
    after(async () => {
      await bench.cleanup();
    });

    test('GALLEY_AI_REUSE_SIMILARITY=1 makes every changed input a model call', async () => {
      const entry = await bench.entry({ title: 'Council approves tram line 4', body: BODY, tags: ['transport'] });
      await bench.result(queued(await bench.ask(entry.id, 'summary')));
      const v2 = await patchEntry({
        store: bench.test.store,
        actor: bench.editor,
        tenantId: bench.tenantId,
        id: entry.id,
        fields: { body: BODY + SMALL_EDIT },
        expectedVersion: entry.version,
      });
      await bench.result(queued(await bench.ask(v2.id, 'summary')));
      assert.equal((await bench.ask(v2.id, 'summary')).kind, 'done', 'the exact memo still answers');
    });
  });
}
