/**
 * `galley serve --roles worker` as a real child process: with GALLEY_OPS_PORT it serves health, readiness and
 * metrics (including the queue gauges its workers feed) and no API route; without it, it listens nowhere. Process
 * wiring only (the data plane is the embedded one; the routes themselves are tested on both backends elsewhere).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
    server.on('error', reject);
  });
}

/** Starts `galley serve --roles worker --migrate` and resolves with its first line mentioning "worker running". */
function startWorker(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; line: string; output: () => string }> {
  const child = spawn(process.execPath, ['src/main.ts', 'serve', '--roles', 'worker', '--migrate'], {
    cwd: ROOT,
    env: { ...process.env, GALLEY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${text}`)), 30_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((l) => l.includes('worker running'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ child, line, output: () => text });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${text}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return `exited ${child.exitCode ?? child.signalCode}`;
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${code ?? signal}`)));
  child.kill('SIGTERM');
  return exited;
}

test('a worker-only process serves health and metrics on GALLEY_OPS_PORT, and no API', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-serve-worker-'));
  const opsPort = await freePort();
  const { child, line, output } = await startWorker({
    GALLEY_DATA_DIR: dir,
    GALLEY_SECRET: 'serve-test-secret-serve-test-secret-0123456789',
    GALLEY_OPS_PORT: String(opsPort),
    HOST: '127.0.0.1',
  });
  try {
    assert.match(line, new RegExp(`ops endpoints on port ${opsPort}`));
    const base = `http://127.0.0.1:${opsPort}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /^galley_queue_depth\{[^}]*queue="ai\.call"/m, 'the worker process reports its queues');
    assert.match(text, /^galley_process_cpu_user_seconds_total /m);
    const api = await fetch(`${base}/api/v1/tenants/sandbox/entries`);
    assert.equal(api.status, 404, 'no API route on the ops port');
    assert.equal((await fetch(`${base}/api/v1/ops/traces`)).status, 401, 'ops routes need a token');
  } finally {
    assert.equal(await stop(child), '0', output());
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without GALLEY_OPS_PORT a worker-only process listens nowhere', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-serve-worker-'));
  const { child, line, output } = await startWorker({
    GALLEY_DATA_DIR: dir,
    GALLEY_SECRET: 'serve-test-secret-serve-test-secret-0123456789',
  });
  try {
    assert.doesNotMatch(line, /ops endpoints/);
  } finally {
    assert.equal(await stop(child), '0', output());
    rmSync(dir, { recursive: true, force: true });
  }
});
