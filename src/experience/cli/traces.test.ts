/**
 * `galley traces` against a real server: buildApp listening on loopback with tracing into the ring, the real
 * traced embedded plane and bearer tokens verified against real signing keys; the CLI reads its token from a
 * credentials file in a temporary config directory, as after `galley login`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { uniqueName } from '../../../test/support/backends.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { buildApp } from '../../app.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { MemberRole } from '../../data/store/schema.ts';
import { traceDataPlane } from '../../ops/tracing/dataPlaneTracing.ts';
import type { TraceDump } from '../../ops/tracing/traceDump.ts';
import { startTracing, type Tracing } from '../../ops/tracing/tracing.ts';
import { openVerifyHarness, type VerifyHarness } from '../auth/verify/testHarness.ts';
import { saveCredentials } from './credentialsStore.ts';
import { runTraces } from './traces.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('galley traces', () => {
  let h: VerifyHarness;
  let tracing: Tracing;
  let untraced: DataPlane;
  let app: FastifyInstance;
  let url: string;
  let config: Config;
  let configDir: string;
  const previousConfigDir = process.env.GALLEY_CONFIG_DIR;

  before(async () => {
    configDir = mkdtempSync(path.join(os.tmpdir(), 'galley-traces-cli-'));
    process.env.GALLEY_CONFIG_DIR = configDir;
    h = await openVerifyHarness('embedded');
    config = loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0, traceRingSize: 200, logSampleRate: 1 });
    tracing = startTracing(config, { serviceName: 'galley' });
    untraced = testPlane('embedded', h.store, uniqueName('cli'));
    const plane = traceDataPlane(untraced);
    app = await buildApp(config, plane, { logger: false, verifier: h.newVerifier() });
    app.get('/test/things/:id', async () => ({
      tenants: (await plane.store.db.selectFrom('tenants').select('id').execute()).length,
    }));
    await app.ready();
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app.close();
    await untraced.close();
    await tracing.shutdown();
    await h.cleanup();
    if (previousConfigDir === undefined) delete process.env.GALLEY_CONFIG_DIR;
    else process.env.GALLEY_CONFIG_DIR = previousConfigDir;
    rmSync(configDir, { recursive: true, force: true });
  });

  async function loginAs(role: MemberRole): Promise<void> {
    const accessToken = await h.mint({ claims: { sub: `user-${role}`, tid: 'tenant-1', role } });
    saveCredentials(url, {
      issuer: `${url}/oauth`,
      clientId: 'galley-cli',
      accessToken,
      refreshToken: 'unused',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      savedAt: new Date().toISOString(),
    });
  }

  async function invoke(args: readonly string[]): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await runTraces(args, config, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  }

  test('prints the traced request as a tree: server span, then its store query indented under it', async () => {
    await loginAs('admin');
    const response = await fetch(`${url}/test/things/7`, {
      headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
    assert.equal(response.status, 200);
    const { code, output } = await invoke(['--url', url, '--trace', TRACE_ID]);
    assert.equal(code, 0, output);
    const lines = output.split('\n');
    assert.match(lines[0] ?? '', /^1 traces \(ring: \d+\/200 spans\)$/);
    const header = lines.find((l) => l.startsWith(`trace ${TRACE_ID}`));
    assert.ok(header, output);
    assert.match(header, /GET \/test\/things\/:id .* 2 spans/);
    assert.ok(
      lines.some((l) =>
        /^ {2}GET \/test\/things\/:id \[server\] [\d.]+ ms {2}http\.response\.status_code=200$/.test(l),
      ),
      output,
    );
    assert.ok(
      lines.some((l) =>
        /^ {4}SELECT tenants \[client\] [\d.]+ ms {2}db\.system\.name="sqlite" galley\.db\.rows=\d+$/.test(l),
      ),
      output,
    );
  });

  test('--json prints the dump; --limit bounds it; the ops request itself is traced too', async () => {
    await loginAs('owner');
    const { code, output } = await invoke(['--url', url, '--json', '--limit', '2']);
    assert.equal(code, 0, output);
    const dump = JSON.parse(output) as TraceDump;
    assert.equal(dump.exporter, 'ring');
    assert.equal(dump.capacity, 200);
    assert.ok(dump.traces.length <= 2 && dump.traces.length > 0);
    assert.ok(
      dump.traces.some((t) => t.rootName === 'GET /api/v1/ops/traces'),
      'the previous CLI call was traced',
    );
  });

  test('an editor is refused (exit 1); bad options exit 2; no stored login exits 1', async () => {
    await loginAs('editor');
    const refused = await invoke(['--url', url]);
    assert.equal(refused.code, 1);
    assert.match(refused.output, /^galley traces: 403 /);
    assert.equal((await invoke(['--limit', '0'])).code, 2);
    assert.equal((await invoke(['--trace', 'xyz'])).code, 2);
    assert.equal((await invoke(['--bogus'])).code, 2);
    const nobody = await invoke(['--url', 'http://127.0.0.1:9']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.output, /not logged in/);
  });
});
