/**
 * Durability: kill -9 a process in the middle of acknowledged writes; every acknowledged write must be there
 * afterwards. Runs on every selected backend.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { BACKENDS, openTestStore, TEST_DATABASE_URL } from '../../../test/support/backends.ts';

const WRITER = path.join(import.meta.dirname, '../../../test/support/crashWriter.ts');
const ACKS_BEFORE_KILL = 300;

for (const backend of BACKENDS) {
  test(`acknowledged writes survive kill -9 (${backend})`, async () => {
    const t = await openTestStore(backend);
    try {
      const target = t.store.dialect === 'sqlite' ? t.location : TEST_DATABASE_URL;
      const args = [WRITER, t.store.dialect, target, ...(t.schema === undefined ? [] : [t.schema])];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: string[] = [];
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (signal === 'SIGKILL') resolve();
          else reject(new Error(`writer exited early: code ${code} signal ${signal}`));
        });
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          acked.push(...lines.filter((l) => l.length > 0));
          if (acked.length >= ACKS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        });
      });
      assert.ok(acked.length >= ACKS_BEFORE_KILL);
      const ids = new Set(
        (await t.store.db.selectFrom('tenants').select('id').where('id', 'like', 'crash-%').execute()).map((r) => r.id),
      );
      const lost = acked.filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], `${lost.length} acknowledged writes were lost`);
    } finally {
      await t.cleanup();
    }
  });
}
