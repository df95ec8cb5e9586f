import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { runConfig } from './configCommand.ts';

test('config show never prints secrets or URL passwords', async () => {
  const config = loadConfig({
    GALLEY_SECRET: 'super-secret-value-that-is-long-enough-1234',
    GALLEY_METRICS_TOKEN: 'scrape-token-xyz',
    GALLEY_SMTP_URL: 'smtp://mailer:smtp-password@127.0.0.1:2525',
    DATABASE_URL: 'postgres://app:db-password@127.0.0.1/galley',
    REDIS_URL: 'redis://:redis-password@127.0.0.1:6379',
  });
  const lines: string[] = [];
  assert.equal(await runConfig(['show'], config, (l) => lines.push(l)), 0);
  const out = lines.join('\n');
  for (const leak of ['super-secret-value', 'scrape-token-xyz', 'smtp-password', 'db-password', 'redis-password']) {
    assert.ok(!out.includes(leak), `config show leaked ${leak}`);
  }
});
