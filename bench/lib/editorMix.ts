/**
 * The editor mix of the Content core benchmark, shared by bench/content.ts and bench/observability.ts: 45 % read
 * entry, 15 % list newest 20, 10 % search, 25 % autosave (PATCH with If-Match), 5 % create, over 10 tenants,
 * every request carrying a JWT the server verifies; plus the seeding, token minting and readiness helpers around
 * a server run in a child process.
 *
 * Autosaves never race each other: every PATCH takes an entry from its tenant's autosave pool that no other PATCH
 * is using and sends the ETag the previous answer gave, so any 412 is a real error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { createEntry } from '../../src/content/entries/entryCreator.ts';
import { createTenant } from '../../src/content/identity/tenantCreator.ts';
import { ARTICLE_TYPE } from '../../src/content/sandboxContent.ts';
import { defineContentType } from '../../src/content/types/contentTypeDefiner.ts';
import { migrateToLatest } from '../../src/data/migrations/migrator.ts';
import { openSqliteStore } from '../../src/data/store/sqlite/sqliteStore.ts';
import { ensureSigningKey, loadKeySet } from '../../src/experience/auth/keys/signingKeys.ts';
import type { Principal } from '../../src/experience/auth/principal.ts';
import { mintAccessToken } from '../../src/experience/auth/verify/tokenMinting.ts';
import { prng, sentence, vocabulary, zipfSampler } from './corpus.ts';

/** Tenants the mix spreads over. */
export const TENANTS = 10;
const AUTOSAVE_POOL = 200;

/** A seeded tenant: its entries and the token its requests carry. */
export interface TenantState {
  readonly slug: string;
  readonly id: string;
  /** Entries GETs read. */
  readonly readIds: string[];
  /** Entries only autosaves touch, with the ETag of their current version. */
  readonly autosave: { id: string; etag: string; busy: boolean }[];
  token: string;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
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
export async function seed(sqlitePath: string, secret: string, perTenant: number): Promise<TenantState[]> {
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

/** Mints a fresh editor token per tenant with the server's signing key (tokens live 5 minutes). */
export async function mintTokens(
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

/** The environment of a bench server: embedded, data in `dir`, on loopback `port`, logging warnings only. */
export function serverEnv(dir: string, secret: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GALLEY_DATA_DIR: dir,
    GALLEY_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    GALLEY_LOG_LEVEL: 'warn',
    GALLEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
}

/**
 * Starts `galley serve --roles web` in a child process with `env` (extra Node flags in `nodeArgs`) and resolves
 * once it is ready at `base`.
 */
export async function startServer(
  env: NodeJS.ProcessEnv,
  base: string,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'src/main.ts', 'serve', '--roles', 'web'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitReady(base, child);
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  return child;
}

/** Stops a server child (SIGTERM: it drains) and resolves when it has exited. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resolves once `<base>/readyz` answers 200; rejects if the child exits or after 60 s. */
export async function waitReady(base: string, child: ChildProcess): Promise<void> {
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

/** An answer of `send`: status, ETag header and body text. */
interface Answer {
  readonly status: number;
  readonly etag: string | undefined;
  readonly text: string;
}

/**
 * One HTTP/1.1 request over a keep-alive pool. node:http rather than fetch: the load generator shares the machine
 * with the server, and undici's fetch costs it roughly twice the CPU per request (WHATWG streams, Headers,
 * Response objects), CPU the server then lacks at 2,000 req/s.
 */
function send(agent: Agent, url: URL, method: string, headers: OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, method, headers }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const etag = res.headers.etag;
        resolve({ status: res.statusCode ?? 0, etag, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One operation of the mix, chosen by `i` (deterministic 20-slot wheel = 45/15/10/25/5 %). */
export function editorMix(base: string, tenants: TenantState[], words: readonly string[]) {
  const wheel = 'GGGGGGGGGLLLSSPPPPPC'.split('');
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  let created = 0;
  const ok = (res: Answer, what: string, expected = 200): void => {
    if (res.status !== expected) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 120)}`);
  };
  const get = (url: string, authorization: string) => send(agent, new URL(url), 'GET', { authorization });
  return async (i: number): Promise<void> => {
    const t = tenants[i % tenants.length];
    if (t === undefined) throw new Error('no tenant');
    const authorization = `Bearer ${t.token}`;
    const api = `${base}/api/v1/tenants/${t.slug}`;
    const kind = wheel[Math.floor(i / tenants.length) % wheel.length];
    if (kind === 'G') {
      const id = t.readIds[(i * 7919) % t.readIds.length];
      return ok(await get(`${api}/entries/${id}`, authorization), 'get');
    }
    if (kind === 'L') return ok(await get(`${api}/entries?limit=20`, authorization), 'list');
    if (kind === 'S') {
      const q = words[(i * 31) % words.length];
      return ok(await get(`${api}/search?q=${q}&limit=20`, authorization), 'search');
    }
    if (kind === 'C') {
      created += 1;
      const body = JSON.stringify({ type: 'article', fields: { title: `created ${created}`, body: 'new', tags: [] } });
      const res = await send(
        agent,
        new URL(`${api}/entries`),
        'POST',
        { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        body,
      );
      return ok(res, 'create', 201);
    }
    const slot = t.autosave.find((s) => !s.busy);
    if (slot === undefined) throw new Error('every autosave entry busy');
    slot.busy = true;
    try {
      const body = JSON.stringify({ fields: { body: `autosave ${i}` } });
      const res = await send(
        agent,
        new URL(`${api}/entries/${slot.id}`),
        'PATCH',
        {
          authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'if-match': slot.etag,
        },
        body,
      );
      ok(res, 'patch');
      if (res.etag !== undefined) slot.etag = res.etag;
    } finally {
      slot.busy = false;
      // Rotate so the pool is used evenly.
      t.autosave.push(...t.autosave.splice(t.autosave.indexOf(slot), 1));
    }
  };
}
