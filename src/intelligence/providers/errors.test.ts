import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorFromHttpStatus, isTimeoutAbort, ProviderError, retryAfterFromHeaders } from './errors.ts';

describe('provider errors', () => {
  it('reads retry-after-ms, delta-seconds and HTTP dates', () => {
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250.4' })), 251);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '0.5' })), 500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now), 3000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(retryAfterFromHeaders(new Headers()), undefined);
    assert.equal(retryAfterFromHeaders(undefined), undefined);
  });

  it('classifies HTTP statuses', () => {
    const classify = (status: number): [string, boolean] => {
      const e = errorFromHttpStatus({ provider: 'openai', status, headers: undefined, message: 'x' });
      return [e.code, e.retryable];
    };
    assert.deepEqual(classify(429), ['rate_limited', true]);
    assert.deepEqual(classify(529), ['rate_limited', true]);
    assert.deepEqual(classify(500), ['server_error', true]);
    assert.deepEqual(classify(503), ['server_error', true]);
    assert.deepEqual(classify(408), ['timeout', true]);
    assert.deepEqual(classify(401), ['auth', false]);
    assert.deepEqual(classify(403), ['auth', false]);
    assert.deepEqual(classify(400), ['bad_request', false]);
    assert.deepEqual(classify(404), ['bad_request', false]);
  });

  it('defaults retryable from the code and allows an override', () => {
    assert.equal(new ProviderError({ provider: 'local', code: 'network', message: 'x' }).retryable, true);
    assert.equal(new ProviderError({ provider: 'local', code: 'invalid_output', message: 'x' }).retryable, false);
    assert.equal(
      new ProviderError({ provider: 'local', code: 'network', message: 'x', retryable: false }).retryable,
      false,
    );
  });

  it('recognises a deadline abort', () => {
    assert.equal(isTimeoutAbort(new DOMException('t', 'TimeoutError')), true);
    assert.equal(isTimeoutAbort(new DOMException('a', 'AbortError')), false);
    assert.equal(isTimeoutAbort(new Error('x')), false);
  });
});
