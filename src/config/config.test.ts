import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, settingsMarkdown } from './config.ts';

test('embedded defaults need no environment', () => {
  const c = loadConfig({});
  assert.equal(c.mode, 'embedded');
  assert.equal(c.port, 8080);
  assert.equal(c.publicUrl, 'http://localhost:8080');
  assert.deepEqual(c.roles, ['web', 'worker']);
  assert.equal(c.sqlitePath, path.resolve('./data/galley.db'));
  assert.ok(Object.isFrozen(c));
});

test('GALLEY_DATA_DIR and PORT override', () => {
  const c = loadConfig({ GALLEY_DATA_DIR: '/tmp/x', PORT: '9000' });
  assert.equal(c.sqlitePath, '/tmp/x/galley.db');
  assert.equal(c.publicUrl, 'http://localhost:9000');
});

test('distributed mode needs both URLs', () => {
  const secret = 'x'.repeat(32);
  const c = loadConfig({ DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379', GALLEY_SECRET: secret });
  assert.equal(c.mode, 'distributed');
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'GALLEY_SECRET',
  );
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://h/db' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'REDIS_URL',
  );
});

for (const [env, value] of [
  ['PORT', 'eighty'],
  ['PORT', '70000'],
  ['DATABASE_URL', 'mysql://h/db'],
  ['REDIS_URL', 'not a url'],
  ['GALLEY_ROLES', 'web,cron'],
  ['GALLEY_LOG_LEVEL', 'loud'],
  ['GALLEY_BODY_LIMIT_BYTES', '-1'],
  ['GALLEY_SECRET', 'too-short'],
  ['GALLEY_METRICS_ALLOW', '10.0.0.0/33'],
] as const) {
  test(`invalid ${env}=${value} stops start-up with a message naming it`, () => {
    assert.throws(
      () => loadConfig({ [env]: value }),
      (e: unknown) => e instanceof ConfigError && e.setting === env && e.message.includes(env),
    );
  });
}

test('the README settings table is the generated one', () => {
  const readme = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
  assert.ok(readme.includes(settingsMarkdown()), 'README is out of date: paste `npm run galley -- config docs`');
});
