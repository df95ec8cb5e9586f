import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { describe, it } from 'node:test';
import {
  ERROR_CATALOGUE,
  type ErrorCode,
  errorCatalogueMarkdown,
  GalleyError,
  isGalleyError,
  problemType,
} from './errors.ts';

const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

describe('error catalogue', () => {
  it('lists each code once, with a GALLEY_ name, an HTTP error status and a title', () => {
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) {
      const spec = ERROR_CATALOGUE[code];
      assert.match(code, /^GALLEY_[A-Z0-9]+(_[A-Z0-9]+)*$/, code);
      assert.ok(spec.status >= 400 && spec.status <= 599, `${code} status`);
      assert.ok(STATUS_CODES[spec.status] !== undefined, `${code} uses a real status`);
      assert.ok(spec.title.length > 0 && spec.title.length <= 60, `${code} title`);
      assert.equal(typeof spec.isPublic, 'boolean');
    }
  });

  it('gives every code a distinct, stable problem type URI', () => {
    const types = codes.map(problemType);
    assert.equal(new Set(types).size, types.length);
    assert.equal(problemType('GALLEY_NOT_FOUND'), 'https://galley.dev/problems/galley-not-found');
    assert.equal(problemType('GALLEY_BODY_TOO_LARGE'), 'https://galley.dev/problems/galley-body-too-large');
  });

  it('keeps internal errors private', () => {
    assert.equal(ERROR_CATALOGUE.GALLEY_INTERNAL.isPublic, false);
    const e = new GalleyError('GALLEY_INTERNAL', 'db password is hunter2');
    assert.equal(e.publicDetail, 'Internal error');
  });

  it('builds errors from the catalogue and matches them by code', () => {
    const cause = new Error('underlying');
    const e = new GalleyError('GALLEY_CONFLICT', 'Entry changed', { cause, retryAfterSeconds: 3 });
    assert.equal(e.status, 409);
    assert.equal(e.title, ERROR_CATALOGUE.GALLEY_CONFLICT.title);
    assert.equal(e.publicDetail, 'Entry changed');
    assert.equal(e.cause, cause);
    assert.equal(e.retryAfterSeconds, 3);
    assert.ok(isGalleyError(e));
    assert.ok(isGalleyError(e, 'GALLEY_CONFLICT'));
    assert.ok(!isGalleyError(e, 'GALLEY_NOT_FOUND'));
    assert.ok(!isGalleyError(new Error('GALLEY_CONFLICT')));
    assert.equal(new GalleyError('GALLEY_NOT_FOUND').message, 'Not found');
  });

  it('documents every code in the markdown table', () => {
    const table = errorCatalogueMarkdown();
    for (const code of codes) assert.ok(table.includes(`\`${code}\``), code);
  });
});
