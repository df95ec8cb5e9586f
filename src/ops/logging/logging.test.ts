/**
 * Request logging end to end on a real Fastify instance with Galley's problem handlers: sampled-out successes
 * write nothing, failures write their buffered debug lines, slow requests are logged in full, sampling follows the
 * trace id, and secrets never reach the output.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from '../../config/config.ts';
import { installProblemHandlers } from '../../experience/http/errorHandling.ts';
import { requestIdFor } from '../../experience/http/requestId.ts';
import { createLogging, type LoggingOptions } from './logger.ts';
import { REDACT_DEPTH, REDACTED, redactFields, redactUrl } from './redaction.ts';
import { requestLogScopePlugin } from './requestScope.ts';
import { sampledIn } from './sampling.ts';

interface Line {
  readonly level: number;
  readonly msg?: string;
  readonly requestId?: string;
  readonly cohort?: string;
  readonly [key: string]: unknown;
}

/** A trace id that OpenTelemetry's ratio sampler keeps at any rate above 0 (its words XOR to 1). */
const ALWAYS_IN = '00000000000000000000000000000001';
/** A trace id it drops at any rate below 1 (its words XOR to 0xffffffff). */
const ALWAYS_OUT = 'ffffffff000000000000000000000000';
const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

interface Bench {
  readonly app: FastifyInstance;
  readonly lines: Line[];
  /** Requests whose lines are still buffered. */
  readonly openBuffers: () => number;
  /** A module-level logger (not request.log), as a use case would hold. */
  readonly moduleLog: (message: string) => void;
}

const apps: FastifyInstance[] = [];
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function bench(options: Partial<LoggingOptions> = {}): Promise<Bench> {
  const lines: Line[] = [];
  const logging = createLogging({
    level: 'info',
    sampleRate: 0,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) },
    ...options,
  });
  const app = Fastify({
    loggerInstance: logging.logger,
    logController: logging.logController,
    genReqId: requestIdFor,
  });
  installProblemHandlers(app);
  await app.register(requestLogScopePlugin, { logs: logging.requestLogs });
  const moduleLogger = logging.logger.child({ module: 'use-case' });

  app.post('/ok', async (request) => {
    request.log.debug({ step: 1 }, 'debug detail');
    request.log.info('handled');
    moduleLogger.debug('module debug detail');
    return { ok: true };
  });
  app.post('/boom', async (request) => {
    request.log.debug({ step: 1 }, 'before the failure');
    moduleLogger.debug('module saw it coming');
    throw new Error('kaput');
  });
  app.get('/client-error', async (request, reply) => {
    request.log.debug('about to refuse');
    return reply.code(404).send({ missing: true });
  });
  app.get('/slow', async (request) => {
    request.log.debug('slow work starts');
    await new Promise((resolve) => setTimeout(resolve, 60));
    return { slow: true };
  });
  app.get('/hang', async (request) => {
    request.log.info('hanging');
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { late: true };
  });
  app.get('/chatty', async (request) => {
    for (let i = 0; i < 50; i += 1) request.log.debug({ i }, 'chatter');
    throw new Error('after much chatter');
  });
  app.post('/secret', async (request) => {
    request.log.info(
      {
        body: request.body,
        user: { email: 'ada@example.com', profile: { token: 'tkn-123' } },
        headers: request.headers,
      },
      'secret-bearing request',
    );
    throw new Error('logged with secrets around');
  });
  await app.ready();
  apps.push(app);
  return {
    app,
    lines,
    openBuffers: () => logging.requestLogs.openCount,
    moduleLog: (message) => moduleLogger.info(message),
  };
}

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ofRequest = (lines: readonly Line[], requestId: string) => lines.filter((l) => l.requestId === requestId);

describe('sampled request logging', () => {
  test('a sampled-out success writes no line at all, while a failing request writes its buffered debug lines', async () => {
    const { app, lines } = await bench();
    const ok = await app.inject({ method: 'POST', url: '/ok', headers: { 'x-request-id': 'req-ok' } });
    assert.equal(ok.statusCode, 200);
    assert.equal(lines.length, 0, 'no line for a sampled-out success');

    const boom = await app.inject({ method: 'POST', url: '/boom', headers: { 'x-request-id': 'req-boom' } });
    assert.equal(boom.statusCode, 500);
    const mine = ofRequest(lines, 'req-boom');
    const messages = mine.map((l) => l.msg);
    // sendProblem's own error line, then the completion line.
    assert.deepEqual(messages, ['before the failure', 'request failed', 'request errored']);
    assert.equal(mine[0]?.level, 20, 'the debug line is flushed although the level is info');
    assert.equal(mine.at(-1)?.cohort, 'error');
    const completion = mine.at(-1);
    assert.ok(completion);
    assert.equal((completion.req as { url: string }).url, '/boom');
    assert.equal((completion.res as { statusCode: number }).statusCode, 500);
    // The module logger's line has no request id binding but was written in the request's async scope.
    const moduleLine = lines.find((l) => l.msg === 'module saw it coming');
    assert.ok(moduleLine, 'a module logger line written during the request is flushed with it');
    assert.equal(moduleLine.level, 20);
    const order = lines.map((l) => l.msg);
    assert.ok(order.indexOf('module saw it coming') < order.indexOf('request errored'), 'flushed in order');
  });

  test('a sampled-in success writes its lines at the configured level and a completion line, never debug', async () => {
    const { app, lines } = await bench({ sampleRate: 1 });
    await app.inject({ method: 'POST', url: '/ok', headers: { 'x-request-id': 'req-in' } });
    const messages = ofRequest(lines, 'req-in').map((l) => l.msg);
    assert.deepEqual(messages, ['handled', 'request completed']);
    assert.equal(
      lines.some((l) => l.level < 30),
      false,
    );
  });

  test('the sample follows the trace id of the incoming traceparent, as the trace sampler does', async () => {
    const { app, lines } = await bench({ sampleRate: 0.5 });
    assert.ok(sampledIn(0.5, ALWAYS_IN, 'x'));
    assert.ok(!sampledIn(0.5, ALWAYS_OUT, 'x'));
    for (let i = 0; i < 5; i += 1) {
      await app.inject({
        method: 'POST',
        url: '/ok',
        headers: { 'x-request-id': `in-${i}`, traceparent: traceparent(ALWAYS_IN) },
      });
      await app.inject({
        method: 'POST',
        url: '/ok',
        headers: { 'x-request-id': `out-${i}`, traceparent: traceparent(ALWAYS_OUT) },
      });
    }
    const completed = lines.filter((l) => l.msg === 'request completed').map((l) => l.requestId);
    assert.deepEqual(completed, ['in-0', 'in-1', 'in-2', 'in-3', 'in-4']);
  });

  test('4xx answers are sampled like successes; slow requests are logged in full at warn', async () => {
    const { app, lines } = await bench({ slowMs: 20 });
    await app.inject({ method: 'GET', url: '/client-error', headers: { 'x-request-id': 'req-404' } });
    assert.deepEqual(ofRequest(lines, 'req-404'), []);
    await app.inject({ method: 'GET', url: '/slow', headers: { 'x-request-id': 'req-slow' } });
    const slow = ofRequest(lines, 'req-slow');
    assert.deepEqual(
      slow.map((l) => [l.level, l.msg]),
      [
        [20, 'slow work starts'],
        [40, 'request slow'],
      ],
    );
    assert.equal(slow[1]?.cohort, 'slow');
  });

  test('a request buffer is bounded: the oldest lines go and the completion line counts them', async () => {
    const { app, lines } = await bench({ maxLines: 10 });
    await app.inject({ method: 'GET', url: '/chatty', headers: { 'x-request-id': 'req-chatty' } });
    const mine = ofRequest(lines, 'req-chatty');
    assert.equal(mine.length, 10);
    const completion = mine.at(-1);
    assert.equal(completion?.msg, 'request errored');
    assert.ok(Number(completion?.droppedLines) >= 40);
  });

  test('a request its client abandons is decided when the connection closes, and its buffer is released', async () => {
    const { app, lines, openBuffers } = await bench({ sampleRate: 1, slowMs: 60_000 });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = request(`${address}/hang`, { headers: { 'x-request-id': 'req-gone' } });
    client.on('error', () => {
      // The abort below is the point of the test.
    });
    client.end();
    await waitFor(() => lines.some((l) => l.msg === 'hanging') || openBuffers() === 1);
    client.destroy();
    await waitFor(() => lines.some((l) => l.msg === 'request aborted'));
    const mine = ofRequest(lines, 'req-gone');
    assert.deepEqual(
      mine.map((l) => l.msg),
      ['hanging', 'request aborted'],
    );
    assert.equal(mine[1]?.aborted, true);
    // The handler finishing later writes no second completion line.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(ofRequest(lines, 'req-gone').length, 2);
    assert.equal(openBuffers(), 0);
  });

  test('lines outside any request are written at once, filtered by the configured level', async () => {
    const { lines, moduleLog } = await bench();
    moduleLog('background work');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['background work'],
    );
  });
});

describe('redaction', () => {
  test('credentials and personal data never reach the output, at any depth, nor in the URL', async () => {
    const { app, lines } = await bench();
    const response = await app.inject({
      method: 'POST',
      url: '/secret?token=abc123&page=2&code=oauth-code',
      headers: {
        'x-request-id': 'req-secret',
        authorization: 'Bearer very-secret-token',
        cookie: 'galley_session=s3cr3t',
        'x-api-key': 'key-123',
      },
      payload: { password: 'hunter2', profile: { email: 'grace@example.com' }, title: 'visible' },
    });
    assert.equal(response.statusCode, 500);
    const text = JSON.stringify(ofRequest(lines, 'req-secret'));
    for (const secret of [
      'hunter2',
      'grace@example.com',
      'ada@example.com',
      'tkn-123',
      'very-secret-token',
      's3cr3t',
      'key-123',
      'abc123',
      'oauth-code',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.ok(text.includes('visible'), 'ordinary fields stay');
    assert.ok(text.includes('page=2'), 'ordinary query parameters stay');
    const completion = ofRequest(lines, 'req-secret').at(-1);
    const headers = completion?.headers as Record<string, string>;
    assert.equal(headers.authorization, '[redacted]');
    assert.equal(headers.cookie, '[redacted]');
  });
});

test('redaction matches field names in any spelling down to its depth, copies instead of mutating, and spares the rest', () => {
  const input = {
    Authorization: 'Bearer t',
    nested: { client_secret: 's', clientSecret: 's2', 'X-Api-Key': 'k', list: [{ refreshToken: 'r' }, { ok: 1 }] },
    kept: { title: 'visible', count: 2 },
    deep: { a: { b: { c: { d: { password: 'too deep to matter' } } } } },
  };
  const snapshot = structuredClone(input);
  const out = redactFields(input) as typeof input;
  assert.deepEqual(input, snapshot, 'the caller object is untouched');
  assert.equal(out.Authorization, REDACTED);
  assert.equal(out.nested.client_secret, REDACTED);
  assert.equal(out.nested.clientSecret, REDACTED);
  assert.equal(out.nested['X-Api-Key'], REDACTED);
  assert.equal((out.nested.list[0] as { refreshToken: string }).refreshToken, REDACTED);
  assert.equal(out.kept, input.kept, 'untouched branches are shared, not copied');
  assert.equal(out.deep, input.deep, `fields below depth ${REDACT_DEPTH} are not walked`);
  assert.equal(redactFields(snapshot.kept), snapshot.kept);
  assert.equal(redactUrl('/cb?code=abc&state=xyz&page=2'), `/cb?code=${REDACTED}&state=${REDACTED}&page=2`);
  assert.equal(redactUrl('/plain/path'), '/plain/path');
});

test('GALLEY_LOG_SAMPLE_RATE and GALLEY_LOG_SLOW_MS are validated settings', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.logSampleRate, 0.05);
  assert.equal(defaults.logSlowMs, 0);
  const set = loadConfig({ GALLEY_LOG_SAMPLE_RATE: '0.25', GALLEY_LOG_SLOW_MS: '500' });
  assert.equal(set.logSampleRate, 0.25);
  assert.equal(set.logSlowMs, 500);
  assert.equal(loadConfig({ GALLEY_LOG_SAMPLE_RATE: '1' }).logSampleRate, 1);
  for (const bad of ['1.5', '-0.1', 'half', '5%']) {
    assert.throws(
      () => loadConfig({ GALLEY_LOG_SAMPLE_RATE: bad }),
      (error: unknown) => error instanceof ConfigError && error.setting === 'GALLEY_LOG_SAMPLE_RATE',
      bad,
    );
  }
});
