import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { type EdgeTestPlane, openEdgeTestPlane } from '../../../test/support/planeDoubles.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import { drainAndClose } from './shutdown.ts';

interface Served {
  readonly edge: EdgeTestPlane;
  readonly app: FastifyInstance;
  readonly port: number;
  /** Resolves when /test/slow has started. */
  readonly slowStarted: Promise<void>;
  /** Lets /test/slow finish. */
  readonly releaseSlow: () => void;
}

async function serve(): Promise<Served> {
  const edge = await openEdgeTestPlane();
  const app = await buildApp(loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0 }), edge.plane, {
    logger: false,
  });
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  app.get('/test/slow', async () => {
    started.resolve();
    await release.promise;
    return { slow: 'done' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { edge, app, port, slowStarted: started.promise, releaseSlow: () => release.resolve() };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** 'refused' when nothing listens on the port any more ('reset' while a connection raced the close). */
function tryConnect(port: number): Promise<'connected' | 'refused' | 'reset'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else if (error.code === 'ECONNRESET') resolve('reset');
      else reject(error);
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Opens a raw socket and collects everything the server sends until it closes the connection. */
function rawSocket(port: number): { socket: Socket; received: Promise<string> } {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  const received = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => {});
  });
  return { socket, received };
}

function write(socket: Socket, text: string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(text, (error) => (error ? reject(error) : resolve())));
}

describe('drainAndClose', () => {
  it('lets an in-flight request finish while new connections are refused, then closes the plane', async () => {
    const s = await serve();
    const inflight = get(s.port, '/test/slow');
    await s.slowStarted;

    const drained = drainAndClose(s.app, s.edge.plane, 20_000);
    await until('the listener to close', async () => (await tryConnect(s.port)) === 'refused');
    assert.equal(s.edge.closeCalls.length, 0, 'the plane stays open while requests are in flight');

    s.releaseSlow();
    const answer = await inflight;
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { slow: 'done' });
    assert.equal(answer.headers.connection, 'close');

    await drained;
    assert.equal(s.edge.closeCalls.length, 1);
    await assert.rejects(s.edge.plane.store.ping(), 'the store is closed with the plane');
  });

  it('answers a request still arriving during the drain with 503 GALLEY_SHUTTING_DOWN', async () => {
    const s = await serve();
    const inflight = get(s.port, '/test/slow');
    await s.slowStarted;
    // A second client has sent part of its request when the drain begins: its connection is not idle, so it
    // stays open, and the request completes after the drain has started.
    const late = rawSocket(s.port);
    await write(late.socket, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    await sleep(100);

    const drained = drainAndClose(s.app, s.edge.plane, 20_000);
    await until('the listener to close', async () => (await tryConnect(s.port)) === 'refused');
    await write(late.socket, '\r\n');
    const text = await late.received;
    assert.match(text, /^HTTP\/1\.1 503 /);
    assert.match(text, /content-type: application\/problem\+json/i);
    assert.match(text, /connection: close/i);
    assert.match(text, /"code":"GALLEY_SHUTTING_DOWN"/);

    s.releaseSlow();
    assert.equal((await inflight).status, 200);
    await drained;
  });

  it('cuts connections still open when the grace period runs out', async () => {
    const s = await serve();
    const inflight = get(s.port, '/test/slow').then(
      () => 'answered',
      () => 'cut',
    );
    await s.slowStarted;
    await drainAndClose(s.app, s.edge.plane, 200);
    assert.equal(await inflight, 'cut');
    assert.equal(s.edge.closeCalls.length, 1);
    s.releaseSlow();
  });
});

describe('socket-level errors', () => {
  it('answers a request that is not received in time with 408 problem+json', async () => {
    const edge = await openEdgeTestPlane();
    const app = await buildApp(
      loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0, requestTimeoutMs: 1000 }),
      edge.plane,
      {
        logger: false,
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const slow = rawSocket(port);
      // Headers never finish arriving.
      await write(slow.socket, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
      const text = await slow.received;
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.match(text, /application\/problem\+json/);
      assert.match(text, /"code":"GALLEY_REQUEST_TIMEOUT"/);
    } finally {
      await app.close();
      await edge.plane.close();
    }
  });

  it('answers oversized headers with 431 problem+json', async () => {
    const edge = await openEdgeTestPlane();
    const app = await buildApp(loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0 }), edge.plane, {
      logger: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const big = rawSocket(port);
      await write(big.socket, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
      const text = await big.received;
      assert.match(text, /^HTTP\/1\.1 431 /);
      assert.match(text, /"code":"GALLEY_HEADERS_TOO_LARGE"/);
    } finally {
      await app.close();
      await edge.plane.close();
    }
  });
});
