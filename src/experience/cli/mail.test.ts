/** `galley mail outbox` against the configured store on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import type { Config } from '../../config/config.ts';
import { createOutboxMailer } from '../../data/mail/outbox/outboxMailer.ts';
import { runMail } from './mail.ts';

/** A config whose store is the given test store's database (its file, or its schema). */
function configFor(t: TestStore): Config {
  return cliConfig(t);
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runMail, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley mail outbox (${backend})`, () => {
    let t: TestStore;
    let config: Config;
    before(async () => {
      t = await openTestStore(backend);
      config = configFor(t);
      const mailer = createOutboxMailer(t.store);
      await mailer.send({ to: 'Ann@Example.test', subject: 'First', text: 'line one\nhttps://x.test/?token=abc' });
      await mailer.send({
        to: 'bob@example.test',
        subject: 'Second',
        text: 'for bob',
        html: '<p>bob</p>',
        tenantId: 't1',
      });
      await mailer.send({ to: 'ann@example.test', subject: 'Third', text: 'ann again' });
      await mailer.close();
    });
    after(async () => t.cleanup());

    test('lists mail newest first with full text bodies', async () => {
      const { code, output } = await invoke(['outbox'], config);
      assert.equal(code, 0);
      assert.ok(output.indexOf('Subject: Third') < output.indexOf('Subject: Second'));
      assert.ok(output.indexOf('Subject: Second') < output.indexOf('Subject: First'));
      assert.match(output, /^https:\/\/x\.test\/\?token=abc$/m);
      assert.match(output, /to: bob@example\.test {2}tenant: t1/);
    });

    test('--to filters by address, case-insensitively; --limit caps', async () => {
      const ann = await invoke(['outbox', '--to', 'ANN@example.test'], config);
      assert.equal(ann.code, 0);
      assert.deepEqual(
        [...ann.output.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1]),
        ['Third', 'First'],
      );
      const one = await invoke(['outbox', '--limit', '1', '--json'], config);
      const rows = JSON.parse(one.output) as { subject: string }[];
      assert.deepEqual(
        rows.map((r) => r.subject),
        ['Third'],
      );
      const none = await invoke(['outbox', '--to', 'nobody@example.test'], config);
      assert.match(none.output, /no mail to nobody@example\.test/);
    });

    test('bad usage exits 2', async () => {
      assert.equal((await invoke([], config)).code, 2);
      assert.equal((await invoke(['outbox', '--limit', 'zero'], config)).code, 2);
      assert.equal((await invoke(['outbox', '--limit', '0'], config)).code, 2);
      assert.equal((await invoke(['outbox', '--bogus'], config)).code, 2);
    });
  });
}
