/**
 * `galley entries` against a real server on every backend (buildApp listening on 127.0.0.1:0) with a stored
 * login: list (filters, NDJSON, --all across cursors), get, create (--field, @file, --json), and import (bad lines
 * reported and kept, resumed after an interrupted run without a single duplicate).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../test/support/backends.ts';
import { loadConfig } from '../../config/config.ts';
import { type ContentApiBench, openContentApiBench } from '../api/entries/testing.ts';
import { saveCredentials } from './credentialsStore.ts';
import { runEntries } from './entries.ts';

const config = loadConfig({}, { logLevel: 'silent' });

/** A loopback HTTP proxy to `target` that forwards `budget` requests, then drops every connection it gets. */
async function startFlakyProxy(target: string, budget: number): Promise<{ url: string; close(): Promise<void> }> {
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    if (forwarded >= budget) {
      req.socket.destroy();
      return;
    }
    forwarded += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers.set(k, v);
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      })
        .then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          const out: Record<string, string> = {};
          answer.headers.forEach((v, k) => {
            if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
          });
          res.writeHead(answer.status, out).end(body);
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

for (const backend of BACKENDS) {
  describe(`galley entries (${backend})`, () => {
    let t: ContentApiBench;
    let url: string;
    let dir: string;
    const previousDir = process.env.GALLEY_CONFIG_DIR;

    async function login(server: string): Promise<void> {
      saveCredentials(server, {
        issuer: `${server}/oauth`,
        clientId: 'galley-cli',
        accessToken: await t.token({ role: 'editor', subject: 'cli-user' }),
        refreshToken: 'unused',
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
        tenant: t.tenant.slug,
        savedAt: new Date().toISOString(),
      });
    }

    async function galley(...args: string[]): Promise<{ code: number; lines: string[] }> {
      const lines: string[] = [];
      const withUrl = args.includes('--url') ? args : [...args, '--url', url];
      const code = await runEntries(withUrl, config, (line) => lines.push(line));
      return { code, lines };
    }

    async function countEntries(): Promise<number> {
      const row = await t.bench.store.db
        .selectFrom('entries' as never)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id' as never, '=', t.tenant.id as never)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }

    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'galley-entries-cli-'));
      process.env.GALLEY_CONFIG_DIR = path.join(dir, 'config');
      t = await openContentApiBench(backend);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      url = `http://127.0.0.1:${port}`;
      await login(url);
    });
    after(async () => {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
      if (previousDir === undefined) delete process.env.GALLEY_CONFIG_DIR;
      else process.env.GALLEY_CONFIG_DIR = previousDir;
    });

    test('create, get and list (filters, NDJSON, --all over cursors)', async () => {
      const bodyFile = path.join(dir, 'body.md');
      writeFileSync(bodyFile, '# Heading\n\nA body from a file.\n');
      const created = await galley(
        'create',
        '--type',
        'article',
        '--field',
        'title=From the CLI',
        '--field',
        `body=@${bodyFile}`,
      );
      assert.equal(created.code, 0, created.lines.join('\n'));
      const id = /^created (\S+) /.exec(created.lines[0] ?? '')?.[1];
      assert.ok(id, created.lines.join('\n'));
      const viaJson = await galley(
        'create',
        '--json',
        JSON.stringify({ type: 'article', fields: { title: 'Second' } }),
      );
      assert.equal(viaJson.code, 0, viaJson.lines.join('\n'));
      assert.equal(JSON.parse(viaJson.lines[0] ?? '{}').fields.title, 'Second');

      const got = await galley('get', id, '--json');
      assert.equal(got.code, 0);
      const entry = JSON.parse(got.lines[0] ?? '{}') as { fields: { body: string; title: string } };
      assert.equal(entry.fields.title, 'From the CLI');
      assert.equal(entry.fields.body, '# Heading\n\nA body from a file.\n');
      const missing = await galley('get', 'no-such-entry');
      assert.equal(missing.code, 1);
      assert.match(missing.lines[0] ?? '', /404 GALLEY_NOT_FOUND/);

      const all = await galley('list', '--json', '--all', '--limit', '1', '--type', 'article');
      assert.equal(all.code, 0, all.lines.join('\n'));
      const titles = all.lines.map((l) => (JSON.parse(l) as { fields: { title: string } }).fields.title);
      assert.deepEqual(titles, ['Second', 'From the CLI']);
      const onePage = await galley('list', '--limit', '1');
      assert.equal(onePage.lines.length, 2);
      assert.match(onePage.lines[1] ?? '', /^next: /);
      assert.equal((await galley('list', '--json', '--type', 'page')).lines.length, 0);
      const bad = await galley('list', '--status', 'nonsense');
      assert.equal(bad.code, 1);
      assert.match(bad.lines[0] ?? '', /400/);
      assert.equal((await galley('frobnicate')).code, 2);
      assert.equal((await galley('create', '--field', 'title=x')).code, 2);
    });

    test('import reports bad lines by number, keeps them, and creates the rest once', async () => {
      const file = path.join(dir, 'mixed.ndjson');
      const lines = [
        JSON.stringify({ type: 'article', fields: { title: 'Imported one' } }),
        '{not json',
        JSON.stringify({ type: 'article' }),
        '',
        JSON.stringify({ type: 'no-such-type', fields: { title: 'x' } }),
        JSON.stringify({ type: 'article', fields: { title: 'Imported two' } }),
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      const before = await countEntries();
      const run = await galley('import', file, '--batch', '2', '--concurrency', '2');
      assert.equal(run.code, 1, run.lines.join('\n'));
      const output = run.lines.join('\n');
      assert.match(output, /line 2: not JSON/);
      assert.match(output, /line 3: missing "fields"/);
      assert.match(output, /line 5: 4\d\d /);
      assert.match(output, /2 created, 0 already imported, 3 rejected/);
      assert.equal(await countEntries(), before + 2);
      assert.deepEqual(readFileSync(`${file}.rejected.ndjson`, 'utf8').trim().split('\n'), [
        lines[1],
        lines[2],
        lines[4],
      ]);
      assert.equal(existsSync(`${file}.galley-import`), false, 'a finished import leaves no checkpoint');
      // Importing the same file again creates nothing: every line's Idempotency-Key was already used.
      const again = await galley('import', file);
      assert.match(again.lines.join('\n'), /0 created, 2 already imported, 3 rejected/);
      assert.equal(await countEntries(), before + 2);
    });

    test('an interrupted import resumes after its checkpoint without duplicates', async () => {
      const file = path.join(dir, 'big.ndjson');
      const total = 23;
      const body = Array.from({ length: total }, (_, i) =>
        JSON.stringify({ type: 'article', fields: { title: `Bulk ${i + 1}` } }),
      );
      writeFileSync(file, `${body.join('\n')}\n`);
      const before = await countEntries();
      // The connection dies after 7 requests: batch 1 (lines 1–5) completes, batch 2 only partly.
      const proxy = await startFlakyProxy(url, 7);
      try {
        await login(proxy.url);
        const broken = await galley('import', file, '--batch', '5', '--concurrency', '2', '--url', proxy.url);
        assert.equal(broken.code, 1, broken.lines.join('\n'));
        assert.match(broken.lines.join('\n'), /keeps failing[\s\S]*--resume/);
      } finally {
        await proxy.close();
      }
      const checkpoint = JSON.parse(readFileSync(`${file}.galley-import`, 'utf8')) as { line: number };
      assert.equal(checkpoint.line, 5);
      const midway = (await countEntries()) - before;
      assert.ok(midway >= 5 && midway <= 7, `created before the break: ${midway}`);

      const refused = await galley('import', file);
      assert.equal(refused.code, 1);
      assert.match(refused.lines.join('\n'), /exists \(line 5\): pass --resume/);

      const resumed = await galley('import', file, '--resume', '--batch', '5', '--concurrency', '3');
      assert.equal(resumed.code, 0, resumed.lines.join('\n'));
      const output = resumed.lines.join('\n');
      assert.match(output, /resuming after line 5/);
      const replayed = Number(/(\d+) already imported/.exec(output)?.[1]);
      const created = Number(/(\d+) created/.exec(output)?.[1]);
      assert.equal(replayed, midway - 5, output);
      assert.equal(created + replayed, total - 5);
      assert.equal((await countEntries()) - before, total, 'every line exactly once');
      assert.equal(existsSync(`${file}.galley-import`), false);

      writeFileSync(`${file}.galley-import`, JSON.stringify({ version: 1, sha256: 'other', line: 3 }));
      const changed = await galley('import', file, '--resume');
      assert.equal(changed.code, 1);
      assert.match(changed.lines.join('\n'), /file changed/);
    });
  });
}
