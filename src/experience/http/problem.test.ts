import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GalleyError } from '../errors/errors.ts';
import { fieldErrors, instanceOf, problemBody, toGalleyError } from './problem.ts';

function fastifyError(code: string, statusCode: number, message = 'framework message'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toGalleyError', () => {
  it('passes GalleyErrors through unchanged', () => {
    const e = new GalleyError('GALLEY_FORBIDDEN');
    assert.equal(toGalleyError(e), e);
  });

  it('maps Fastify errors by code', () => {
    assert.equal(toGalleyError(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400)).code, 'GALLEY_BAD_JSON');
    assert.equal(toGalleyError(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400)).code, 'GALLEY_BAD_JSON');
    assert.equal(toGalleyError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413)).code, 'GALLEY_BODY_TOO_LARGE');
    assert.equal(
      toGalleyError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code,
      'GALLEY_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('maps other 4xx errors by status, showing only Fastify-authored messages', () => {
    const bad = toGalleyError(fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'length mismatch'));
    assert.equal(bad.code, 'GALLEY_BAD_REQUEST');
    assert.equal(bad.publicDetail, 'length mismatch');
    const plugin = toGalleyError(Object.assign(new Error('internal-ish text'), { statusCode: 429 }));
    assert.equal(plugin.code, 'GALLEY_RATE_LIMITED');
    assert.equal(plugin.publicDetail, 'Too many requests');
  });

  it('turns everything else into GALLEY_INTERNAL, keeping the original as cause', () => {
    const original = new TypeError('x is undefined');
    const e = toGalleyError(original);
    assert.equal(e.code, 'GALLEY_INTERNAL');
    assert.equal(e.cause, original);
    assert.equal(toGalleyError(Object.assign(new Error('bad gateway'), { statusCode: 502 })).code, 'GALLEY_INTERNAL');
    assert.equal(toGalleyError('a string').code, 'GALLEY_INTERNAL');
  });

  it('turns a validation error into per-field errors', () => {
    const error = Object.assign(new Error('body/fields/title must be string'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validationContext: 'querystring',
      validation: [
        { keyword: 'type', instancePath: '/limit', schemaPath: '#', params: {}, message: 'must be integer' },
      ],
    });
    const e = toGalleyError(error);
    assert.equal(e.code, 'GALLEY_VALIDATION_FAILED');
    assert.deepEqual(e.errors, [{ field: '/limit', message: 'must be integer', location: 'querystring' }]);
    assert.equal(e.publicDetail, '/limit must be integer');
  });
});

describe('fieldErrors', () => {
  it('names missing and unexpected properties by their own pointer (TypeBox and Ajv shapes)', () => {
    const errors = fieldErrors(
      [
        { keyword: 'required', instancePath: '/fields', params: { requiredProperties: ['title', 'a/b'] } },
        { keyword: 'required', instancePath: '', params: { missingProperty: 'fields' } },
        { keyword: 'boolean', instancePath: '/fields/extra', params: {}, message: 'schema is false' },
        { keyword: 'additionalProperties', instancePath: '/fields', params: { additionalProperties: ['extra'] } },
        { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'x~y' } },
      ],
      'body',
    );
    assert.deepEqual(
      errors.map((e) => [e.field, e.message]),
      [
        ['/fields/title', 'is required'],
        ['/fields/a~1b', 'is required'],
        ['/fields', 'is required'],
        ['/fields/extra', 'is not allowed'],
        ['/x~0y', 'is not allowed'],
      ],
    );
  });
});

describe('problemBody', () => {
  it('has the RFC 9457 members plus code and requestId; extensions cannot override them', () => {
    const e = new GalleyError('GALLEY_NOT_READY', 'kv failed', {
      extensions: { checks: { kv: 'failed' }, status: 200, code: 'HIJACK' },
    });
    assert.deepEqual(problemBody(e, 'req-1', '/readyz'), {
      checks: { kv: 'failed' },
      type: 'https://galley.dev/problems/galley-not-ready',
      title: 'Not ready',
      status: 503,
      detail: 'kv failed',
      instance: '/readyz',
      code: 'GALLEY_NOT_READY',
      requestId: 'req-1',
    });
  });

  it('uses the path without the query string as instance', () => {
    assert.equal(instanceOf('/v1/entries?token=secret'), '/v1/entries');
    assert.equal(instanceOf('/v1/entries'), '/v1/entries');
  });
});
