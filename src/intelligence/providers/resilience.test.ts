import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildModelRequest, type ModelServer, startModelServer } from '../../../test/support/modelServer.ts';
import { ProviderError } from './errors.ts';
import { createOpenAiProvider } from './openai/openaiProvider.ts';
import type { ModelProvider } from './port.ts';
import { type BreakEvent, breakerState, createBreakerSet, type RetryEvent, withResilience } from './resilience.ts';

const fail = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );

describe('resilience wrapper (retries + circuit breaker) over the real openai adapter', () => {
  let server: ModelServer;
  let openai: ModelProvider;
  before(async () => {
    server = await startModelServer();
    openai = createOpenAiProvider({ baseURL: server.url });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('honours Retry-After: the retry waits at least that long, then succeeds', async () => {
    const retries: RetryEvent[] = [];
    const wrapped = withResilience(openai, { breakers: createBreakerSet(), onRetry: (e) => retries.push(e) });
    server.failNext(1, 429, { retryAfter: 1 });
    const response = await wrapped.complete(buildModelRequest('summary'));
    assert.equal(response.finishReason, 'stop');
    const [first, second] = server.requests;
    assert.ok(first && second && server.requests.length === 2);
    assert.ok(second.at - first.at >= 995, `retried after ${second.at - first.at} ms`);
    assert.equal(retries.length, 1);
    assert.ok((retries[0]?.delayMs ?? 0) >= 1000);
    assert.equal(retries[0]?.error.code, 'rate_limited');
  });

  it('retries a 500 and returns the later success', async () => {
    const wrapped = withResilience(openai, { breakers: createBreakerSet(), baseDelayMs: 20 });
    server.failNext(1, 500);
    const response = await wrapped.complete(buildModelRequest('tags'));
    assert.ok(Array.isArray((JSON.parse(response.text) as { tags: unknown }).tags));
    assert.equal(server.requests.length, 2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const wrapped = withResilience(openai, { breakers: createBreakerSet(), baseDelayMs: 10, maxAttempts: 3 });
    server.failNext(5, 503);
    const error = await fail(wrapped.complete(buildModelRequest('tags')));
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'server_error');
    assert.equal(server.requests.length, 3);
  });

  it('does not retry a 400', async () => {
    const retries: RetryEvent[] = [];
    const wrapped = withResilience(openai, { breakers: createBreakerSet(), onRetry: (e) => retries.push(e) });
    server.failNext(1, 400);
    const error = await fail(wrapped.complete(buildModelRequest('seo')));
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'bad_request');
    assert.equal(server.requests.length, 1);
    assert.equal(retries.length, 0);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    const wrapped = withResilience(openai, { breakers: createBreakerSet(), maxRetryAfterMs: 500 });
    server.failNext(1, 429, { retryAfter: 30 });
    const started = performance.now();
    const error = await fail(wrapped.complete(buildModelRequest('seo')));
    assert.ok(error instanceof ProviderError);
    assert.equal(error.retryAfterMs, 30_000);
    assert.ok(performance.now() - started < 500);
    assert.equal(server.requests.length, 1);
  });

  it('stops waiting for a retry as soon as the caller aborts', async () => {
    const wrapped = withResilience(openai, { breakers: createBreakerSet() });
    server.failNext(1, 429, { retryAfter: 5 });
    const started = performance.now();
    const signal = AbortSignal.timeout(200);
    const error = await fail(wrapped.complete(buildModelRequest('seo', { signal })));
    assert.ok(error instanceof DOMException && error.name === 'TimeoutError');
    assert.ok(performance.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('rejects promptly when the caller aborts a hung request, without retrying', async () => {
    const wrapped = withResilience(openai, { breakers: createBreakerSet() });
    server.reply(() => ({ hang: true }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    const started = performance.now();
    const error = await fail(wrapped.complete(buildModelRequest('summary', { signal: controller.signal })));
    assert.ok(error instanceof Error && error.message === 'cancelled');
    assert.ok(performance.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('opens the circuit after N failures, rejects fast with unavailable, closes after halfOpenAfter', async () => {
    const breakers = createBreakerSet();
    const breaks: BreakEvent[] = [];
    const options = { breakers, maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 300 };
    const wrapped = withResilience(openai, { ...options, onBreak: (e) => breaks.push(e) });
    server.failNext(3, 500);
    for (let i = 0; i < 3; i++) {
      const error = await fail(wrapped.complete(buildModelRequest('summary')));
      assert.ok(error instanceof ProviderError && error.code === 'server_error');
    }
    assert.equal(breakers.state('openai'), 'open');
    assert.equal(breaks.length, 1);

    // Another wrapper of the same family shares the open circuit.
    const other = withResilience(openai, options);
    const started = performance.now();
    const rejected = await fail(other.complete(buildModelRequest('summary')));
    assert.ok(rejected instanceof ProviderError);
    assert.equal(rejected.code, 'unavailable');
    assert.equal(rejected.retryable, false);
    assert.ok(performance.now() - started < 50);
    assert.equal(server.requests.length, 3, 'an open circuit sends nothing');

    await new Promise((resolve) => setTimeout(resolve, 350));
    const response = await wrapped.complete(buildModelRequest('summary'));
    assert.equal(response.finishReason, 'stop');
    assert.equal(breakers.state('openai'), 'closed');
  });

  it('reports a break once even when concurrent calls fail past the threshold', async () => {
    const breakers = createBreakerSet();
    const breaks: BreakEvent[] = [];
    const wrapped = withResilience(openai, {
      breakers,
      maxAttempts: 1,
      breakerThreshold: 3,
      onBreak: (e) => breaks.push(e),
    });
    server.failNext(6, 500);
    const errors = await Promise.all(
      Array.from({ length: 6 }, () => fail(wrapped.complete(buildModelRequest('tags')))),
    );
    assert.ok(errors.every((e) => e instanceof ProviderError && e.code === 'server_error'));
    assert.equal(breakers.state('openai'), 'open');
    assert.equal(breaks.length, 1);
    assert.ok(breaks[0]?.error instanceof ProviderError);
  });

  it('a caller waiting behind a hung half-open trial still rejects at its own deadline', async () => {
    const breakers = createBreakerSet();
    const wrapped = withResilience(openai, { breakers, maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 100 });
    server.failNext(1, 500);
    await fail(wrapped.complete(buildModelRequest('summary')));
    assert.equal(breakers.state('openai'), 'open');
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.reply(() => ({ hang: true }));
    const trial = fail(wrapped.complete(buildModelRequest('summary', { signal: AbortSignal.timeout(800) })));
    await server.waitForRequests(2);
    assert.equal(breakers.state('openai'), 'half-open');
    const started = performance.now();
    const waiting = await fail(wrapped.complete(buildModelRequest('summary', { signal: AbortSignal.timeout(100) })));
    assert.ok(waiting instanceof DOMException && waiting.name === 'TimeoutError');
    assert.ok(performance.now() - started < 500, `waited ${performance.now() - started} ms`);
    await trial;
    assert.equal(breakers.state('openai'), 'open', 'the hung trial re-opens the circuit');
    assert.equal(server.requests.length, 2, 'the abandoned caller never reached the provider');
  });

  it('counts calls cut short by the caller deadline (a hung provider) towards the breaker', async () => {
    const breakers = createBreakerSet();
    const wrapped = withResilience(openai, { breakers, maxAttempts: 1, breakerThreshold: 2, halfOpenAfterMs: 10_000 });
    server.reply(() => ({ hang: true }));
    for (let i = 0; i < 2; i++) {
      await fail(wrapped.complete(buildModelRequest('summary', { signal: AbortSignal.timeout(50) })));
    }
    assert.equal(breakers.state('openai'), 'open');
    const error = await fail(wrapped.complete(buildModelRequest('summary')));
    assert.ok(error instanceof ProviderError && error.code === 'unavailable');
  });

  it('does not count client errors or manual cancellation towards the breaker', async () => {
    const breakers = createBreakerSet();
    const wrapped = withResilience(openai, { breakers, maxAttempts: 1, breakerThreshold: 2 });
    server.failNext(3, 400);
    for (let i = 0; i < 3; i++) await fail(wrapped.complete(buildModelRequest('summary')));
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    await fail(wrapped.complete(buildModelRequest('summary', { signal: controller.signal })));
    assert.equal(breakers.state('openai'), 'closed');
  });

  it('exposes the process-wide breaker state', () => {
    assert.equal(breakerState('anthropic'), 'closed');
  });
});
