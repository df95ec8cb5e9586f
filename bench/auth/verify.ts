/**
 * Access-token verification throughput on one core (issue 3 target: ≥ 20 000 verifications/s).
 *
 * - cold: every token is new to the verifier — jose ES256 verify + claims + deny-list kv lookup per token;
 *   reported at concurrency 1 and 16 (WebCrypto hands the signature check to the libuv pool, so overlap helps);
 * - jose alone: `jwtVerify` against the local JWKS with no cache and no deny-list, to show what the crypto costs;
 * - ECDSA ceiling: one raw node:crypto P-256 verify per token, the floor no ES256 verifier can go under;
 * - hot: tokens already verified (the verified cache) — what a token costs for the rest of its 5-minute life.
 *
 * Run: node bench/auth/verify.ts [--tokens 5000] [--seconds 5] [--backend embedded|distributed] [--no-pin]
 * Without --no-pin, the script re-runs itself under `taskset -c 0` so every thread (the libuv pool included)
 * shares one core. Results print and go to bench/results/auth-verify-<date>.json; `runVerifyBench` returns them
 * for an aggregate `bench:auth` report.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify as ecdsaVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type { Kv } from '../../src/data/kv/port.ts';
import { createRedisKv } from '../../src/data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../src/data/kv/sqlite/sqliteKv.ts';
import { ensureSigningKey, loadKeySet } from '../../src/experience/auth/keys/signingKeys.ts';
import { mintAccessToken } from '../../src/experience/auth/verify/tokenMinting.ts';
import { createTokenVerifier } from '../../src/experience/auth/verify/tokenVerifier.ts';
import { type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../../test/support/backends.ts';
import { machine, throughput } from '../lib/openLoop.ts';

/** Options of one run. */
export interface VerifyBenchOptions {
  /** Distinct tokens for each cold measurement (default 5 000). */
  readonly tokens?: number;
  /** Seconds of the hot measurement (default 5). */
  readonly seconds?: number;
  /** Kv backend of the deny-list (default embedded). */
  readonly backend?: Backend;
}

/** Figures of one run, in verifications per second. */
export interface VerifyBenchResult {
  readonly backend: Backend;
  /** CPUs this process may run on (1 when pinned). */
  readonly cpusAllowed: number;
  readonly coldVerifierSerial: number;
  readonly coldVerifierConcurrent16: number;
  readonly coldJoseOnly: number;
  readonly ecdsaCeiling: number;
  readonly hot: number;
  /** Target from issue 3. */
  readonly target: number;
}

const ISSUER = 'http://bench.galley.test/oauth';
const AUDIENCE = 'http://bench.galley.test/api';
const TARGET = 20_000;

/** Runs `op` over `items` with `concurrency` callers; items per second. */
async function overItems<T>(items: readonly T[], concurrency: number, op: (item: T) => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await op(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Math.round(items.length / ((performance.now() - started) / 1000));
}

async function mintMany(count: number, mint: () => Promise<string>): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 100) {
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, mint))));
  }
  return tokens;
}

/** Measures verification throughput; see the file comment for what each figure means. */
export async function runVerifyBench(options: VerifyBenchOptions = {}): Promise<VerifyBenchResult> {
  const count = options.tokens ?? 5000;
  const seconds = options.seconds ?? 5;
  const backend = options.backend ?? 'embedded';
  const t = await openTestStore(backend);
  const secret = 'bench-secret-bench-secret-bench-secret';
  const prefix = uniqueName('bench_verify');
  const kv: Kv = backend === 'embedded' ? createSqliteKv(t.store) : createRedisKv({ url: TEST_REDIS_URL, prefix });
  try {
    await ensureSigningKey(t.store, secret);
    const keySet = await loadKeySet(t.store, secret);
    const [privateKey] = keySet.signing;
    if (privateKey === undefined) throw new Error('no signing key');
    const mint = () => mintAccessToken(privateKey, { issuer: ISSUER, audience: AUDIENCE });
    const verifier = () =>
      createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => keySet.jwks, kv });

    const serial = verifier();
    const coldVerifierSerial = await overItems(await mintMany(count, mint), 1, (token) => serial.verify(token));
    const concurrent = verifier();
    const coldVerifierConcurrent16 = await overItems(await mintMany(count, mint), 16, (token) =>
      concurrent.verify(token),
    );

    const jwks = createLocalJWKSet({ keys: keySet.jwks.keys.map((k) => ({ ...k }) as JWK) });
    const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], typ: 'at+jwt' };
    const joseTokens = await mintMany(count, mint);
    const coldJoseOnly = await overItems(joseTokens, 1, (token) => jwtVerify(token, jwks, joseOptions));

    const publicKey = createPublicKey({ key: { ...keySet.jwks.keys[0] }, format: 'jwk' });
    const ecdsaCeiling = await overItems(joseTokens, 1, async (token) => {
      const dot = token.lastIndexOf('.');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      const ok = ecdsaVerify(
        'sha256',
        Buffer.from(token.slice(0, dot)),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        signature,
      );
      if (!ok) throw new Error('bad signature');
    });

    // Hot: a working set of live tokens, each already verified once, cycled through.
    const hotVerifier = verifier();
    const working = await mintMany(1000, mint);
    for (const token of working) await hotVerifier.verify(token);
    const hot = await throughput(seconds, 1, async (i) => {
      await hotVerifier.verify(working[i % working.length] ?? '');
    });

    await Promise.all([serial.close(), concurrent.close(), hotVerifier.close()]);
    return {
      backend,
      cpusAllowed: os.availableParallelism(),
      coldVerifierSerial,
      coldVerifierConcurrent16,
      coldJoseOnly,
      ecdsaCeiling,
      hot,
      target: TARGET,
    };
  } finally {
    await kv.close();
    await t.cleanup();
  }
}

/** One line per figure, with the target verdict where the target applies. */
export function formatVerifyResult(r: VerifyBenchResult): string {
  const verdict = (n: number) => (n >= r.target ? 'meets' : 'below');
  return [
    `jwt verify (${r.backend} kv, ${r.cpusAllowed} cpu allowed), ops/s; target ≥ ${r.target}/s`,
    `  hot   (cached token, deny-list checked)     ${String(r.hot).padStart(8)}  ${verdict(r.hot)} target`,
    `  cold  verifier, serial                      ${String(r.coldVerifierSerial).padStart(8)}  ${verdict(r.coldVerifierSerial)} target`,
    `  cold  verifier, 16 concurrent               ${String(r.coldVerifierConcurrent16).padStart(8)}  ${verdict(r.coldVerifierConcurrent16)} target`,
    `  cold  jose jwtVerify alone, serial          ${String(r.coldJoseOnly).padStart(8)}`,
    `  ceiling: raw P-256 ECDSA verify (node:crypto) ${String(r.ecdsaCeiling).padStart(6)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tokens: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '5' },
      backend: { type: 'string', default: 'embedded' },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  if (!values['no-pin'] && process.env.GALLEY_BENCH_PINNED !== '1' && os.availableParallelism() > 1) {
    const pinned = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, GALLEY_BENCH_PINNED: '1' },
    });
    if (pinned.error === undefined) {
      process.exitCode = pinned.status ?? 1;
      return;
    }
    console.warn(`taskset unavailable (${pinned.error.message}); running unpinned`);
  }
  const backend = values.backend === 'distributed' ? 'distributed' : 'embedded';
  const report = {
    machine: machine(),
    result: await runVerifyBench({ tokens: Number(values.tokens), seconds: Number(values.seconds), backend }),
  };
  console.log('machine', JSON.stringify(report.machine));
  console.log(formatVerifyResult(report.result));
  const dir = path.join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `auth-verify-${report.machine.date.replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
}

if (import.meta.main) await main();
