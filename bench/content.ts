/**
 * The editor mix against a running embedded server (issue 4 acceptance): 45 % read entry, 15 % list newest 20,
 * 10 % search, 25 % autosave (PATCH with If-Match), 5 % create, over 10 tenants, every request carrying a JWT the
 * server verifies. Open loop (bench/lib/openLoop.ts: latency from the scheduled send) at 500, 1,000 and
 * 2,000 req/s.
 *
 * The server runs in a child process (`node src/main.ts serve`, temp GALLEY_DATA_DIR, free port,
 * GALLEY_LOG_LEVEL=warn), so load generator and server are separate processes sharing the machine. Seeding goes
 * through the use cases (createEntry) before the server starts. Tokens are minted with the server's own signing
 * key, read from the same data dir's store with the GALLEY_SECRET given to the child.
 *
 * Autosaves never race each other: every PATCH takes an entry from its tenant's autosave pool that no other PATCH
 * is using and sends the ETag the previous answer gave, so any 412 is a real error.
 *
 * Run: npm run bench:content [-- --entries 1000 --seconds 20 --rates 500,1000,2000]
 * Results print and go to bench/results/content-<date>.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { createEntry } from '../src/content/entries/entryCreator.ts';
import { createTenant } from '../src/content/identity/tenantCreator.ts';
import { ARTICLE_TYPE } from '../src/content/sandboxContent.ts';
import { defineContentType } from '../src/content/types/contentTypeDefiner.ts';
import { migrateToLatest } from '../src/data/migrations/migrator.ts';
import { openSqliteStore } from '../src/data/store/sqlite/sqliteStore.ts';
import { ensureSigningKey, loadKeySet } from '../src/experience/auth/keys/signingKeys.ts';
import type { Principal } from '../src/experience/auth/principal.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../src/experience/auth/tokenContract.ts';
import { mintAccessToken } from '../src/experience/auth/verify/tokenMinting.ts';
import { prng, sentence, vocabulary, zipfSampler } from './lib/corpus.ts';
import { formatResult, machine, type OpenLoopResult, openLoop } from './lib/openLoop.ts';

const TENANTS = 10;
const AUTOSAVE_POOL = 200;

interface TenantState {
  readonly slug: string;
  readonly id: string;
  /** Entries GETs read. */
  readonly readIds: string[];
  /** Entries only autosaves touch, with the ETag of their current version. */
  readonly autosave: { id: string; etag: string; busy: boolean }[];
  token: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function owner(tenantId: string): Principal {
  return {
    kind: 'user',
    subject: 'bench-owner',
    tenantId,
    role: 'owner',
    scopes: ['api'],
    tokenId: 'bench',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}

/** Seeds the tenants through the use cases; returns their state (tokens minted later). */
async function seed(sqlitePath: string, secret: string, perTenant: number): Promise<TenantState[]> {
  const store = openSqliteStore({ filename: sqlitePath });
  try {
    await migrateToLatest(store);
    await ensureSigningKey(store, secret);
    const random = prng(42);
    const vocab = vocabulary(5000, random);
    const sample = zipfSampler(vocab.length, random);
    const tenants: TenantState[] = [];
    for (let t = 0; t < TENANTS; t++) {
      const slug = `bench-${t}`;
      const tenant = await createTenant({ db: store.db, slug, name: `Bench ${t}`, actor: 'system' });
      const actor = owner(tenant.id);
      await defineContentType({ store, actor, tenantId: tenant.id, definition: ARTICLE_TYPE });
      const state: TenantState = { slug, id: tenant.id, readIds: [], autosave: [], token: '' };
      for (let start = 0; start < perTenant; start += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, perTenant - start) }, () =>
            createEntry({
              store,
              actor,
              tenantId: tenant.id,
              type: 'article',
              fields: { title: sentence(6, vocab, sample), body: sentence(120, vocab, sample), tags: ['bench'] },
            }),
          ),
        );
        for (const entry of batch) {
          if (state.autosave.length < AUTOSAVE_POOL) {
            state.autosave.push({ id: entry.id, etag: `"${entry.id}.${entry.version}"`, busy: false });
          } else state.readIds.push(entry.id);
        }
      }
      tenants.push(state);
    }
    return tenants;
  } finally {
    await store.close();
  }
}

async function mintTokens(
  sqlitePath: string,
  secret: string,
  tenants: TenantState[],
  issuer: string,
  audience: string,
) {
  const store = openSqliteStore({ filename: sqlitePath });
  try {
    const [key] = (await loadKeySet(store, secret)).signing;
    if (key === undefined) throw new Error('no signing key in the store');
    for (const t of tenants) {
      t.token = await mintAccessToken(key, {
        issuer,
        audience,
        claims: { sub: `bench-editor-${t.slug}`, tid: t.id, role: 'editor' },
      });
    }
  } finally {
    await store.close();
  }
}

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server not ready within 60 s');
}

/** One operation of the mix, chosen by `i` (deterministic 20-slot wheel = 45/15/10/25/5 %). */
function editorMix(base: string, tenants: TenantState[], words: readonly string[]) {
  const wheel = 'GGGGGGGGGLLLSSPPPPPC'.split('');
  let created = 0;
  const ok = async (res: Response, what: string, expected = 200): Promise<void> => {
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${what}: ${res.status} ${text.slice(0, 120)}`);
  };
  return async (i: number): Promise<void> => {
    const t = tenants[i % tenants.length];
    if (t === undefined) throw new Error('no tenant');
    const headers = { authorization: `Bearer ${t.token}` };
    const api = `${base}/api/v1/tenants/${t.slug}`;
    const kind = wheel[Math.floor(i / tenants.length) % wheel.length];
    if (kind === 'G') {
      const id = t.readIds[(i * 7919) % t.readIds.length];
      return ok(await fetch(`${api}/entries/${id}`, { headers }), 'get');
    }
    if (kind === 'L') return ok(await fetch(`${api}/entries?limit=20`, { headers }), 'list');
    if (kind === 'S') {
      const q = words[(i * 31) % words.length];
      return ok(await fetch(`${api}/search?q=${q}&limit=20`, { headers }), 'search');
    }
    if (kind === 'C') {
      created += 1;
      const body = JSON.stringify({ type: 'article', fields: { title: `created ${created}`, body: 'new', tags: [] } });
      const res = await fetch(`${api}/entries`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      return ok(res, 'create', 201);
    }
    const slot = t.autosave.find((s) => !s.busy);
    if (slot === undefined) throw new Error('every autosave entry busy');
    slot.busy = true;
    try {
      const res = await fetch(`${api}/entries/${slot.id}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json', 'if-match': slot.etag },
        body: JSON.stringify({ fields: { body: `autosave ${i}` } }),
      });
      const etag = res.headers.get('etag');
      await ok(res, 'patch');
      if (etag !== null) slot.etag = etag;
    } finally {
      slot.busy = false;
      // Rotate so the pool is used evenly.
      t.autosave.push(...t.autosave.splice(t.autosave.indexOf(slot), 1));
    }
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      rates: { type: 'string', default: '500,1000,2000' },
    },
  });
  const perTenant = Number(values.entries);
  const seconds = Number(values.seconds);
  const rates = values.rates.split(',').map(Number);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-bench-content-'));
  const secret = randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = {
    ...process.env,
    GALLEY_DATA_DIR: dir,
    GALLEY_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    GALLEY_LOG_LEVEL: 'warn',
    GALLEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  const config = loadConfig(env);
  let child: ChildProcess | undefined;
  try {
    const started = performance.now();
    const tenants = await seed(config.sqlitePath, secret, perTenant);
    console.log(`seeded ${TENANTS} tenants × ${perTenant} entries in ${Math.round(performance.now() - started)} ms`);
    child = spawn(process.execPath, ['src/main.ts', 'serve', '--roles', 'web'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, child);
    const words = vocabulary(5000, prng(42)).slice(200, 1200);
    const results: OpenLoopResult[] = [];
    for (const rate of rates) {
      // Fresh tokens per run: they live 5 minutes.
      await mintTokens(config.sqlitePath, secret, tenants, issuerOf(config), GALLEY_API_AUDIENCE(config));
      const op = editorMix(base, tenants, words);
      await openLoop({ name: 'warm-up', rate: Math.min(rate, 500), durationS: 2, op });
      const result = await openLoop({
        name: `editor mix @ ${rate}/s`,
        rate,
        durationS: seconds,
        op,
        maxInFlight: 2000,
      });
      console.log(formatResult(result));
      results.push(result);
    }
    const outDir = path.join(import.meta.dirname, 'results');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `content-${new Date().toISOString().replaceAll(':', '-').replace('.', '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ machine: machine(), tenants: TENANTS, entriesPerTenant: perTenant, target: { rate: 2000, p95Ms: 20, errors: 0 }, results }, null, 2)}\n`,
    );
    console.log(`wrote ${file}`);
  } finally {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child?.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
