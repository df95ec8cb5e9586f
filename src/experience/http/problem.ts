/**
 * RFC 9457 problem details: how any error becomes `application/problem+json`. `toGalleyError` maps Fastify's
 * own errors (validation, body parsing, limits) onto catalogued codes; anything unrecognised is GALLEY_INTERNAL,
 * whose message and stack never reach the client.
 */
import type { FastifySchemaValidationError } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { type ErrorCode, type FieldError, GalleyError, problemType } from '../errors/errors.ts';

/** Media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Schema of one field error, for route response schemas and OpenAPI. */
export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'JSON pointer into the request part, e.g. /fields/title' }),
  message: Type.String(),
  location: Type.Optional(
    Type.Union([Type.Literal('body'), Type.Literal('querystring'), Type.Literal('params'), Type.Literal('headers')]),
  ),
});

/** Schema of a problem body; routes list it for their 4xx/5xx responses so OpenAPI documents errors. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Stable URI of the problem type: https://galley.dev/problems/<code-kebab>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: 'Path of the request that failed' })),
    code: Type.String({ description: 'Stable Galley error code, e.g. GALLEY_NOT_FOUND' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** A problem body as sent. */
export type Problem = Static<typeof ProblemSchema>;

/**
 * A route `schema.response` entry documenting an error response as application/problem+json, e.g.
 * `response: { 200: EntrySchema, 404: problemResponse('No such entry') }`.
 */
export function problemResponse<S extends TSchema = typeof ProblemSchema>(description: string, schema?: S) {
  return { description, content: { 'application/problem+json': { schema: schema ?? ProblemSchema } } };
}

/** Fastify error codes with a catalogue equivalent. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'GALLEY_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GALLEY_BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'GALLEY_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GALLEY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_NOT_FOUND: 'GALLEY_NOT_FOUND',
  FST_ERR_MAX_PARAM_LENGTH: 'GALLEY_URI_TOO_LONG',
};

/** Catalogue codes for other 4xx errors raised by Fastify and its plugins, by status. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  401: 'GALLEY_UNAUTHENTICATED',
  403: 'GALLEY_FORBIDDEN',
  404: 'GALLEY_NOT_FOUND',
  405: 'GALLEY_METHOD_NOT_ALLOWED',
  408: 'GALLEY_REQUEST_TIMEOUT',
  409: 'GALLEY_CONFLICT',
  412: 'GALLEY_PRECONDITION_FAILED',
  413: 'GALLEY_BODY_TOO_LARGE',
  414: 'GALLEY_URI_TOO_LONG',
  415: 'GALLEY_UNSUPPORTED_MEDIA_TYPE',
  428: 'GALLEY_PRECONDITION_REQUIRED',
  429: 'GALLEY_RATE_LIMITED',
  431: 'GALLEY_HEADERS_TOO_LARGE',
};

interface ErrorLike {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly validation?: unknown;
  readonly validationContext?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? error : {};
}

/**
 * Maps any thrown value onto a catalogued error. GalleyErrors pass through; Fastify errors (code `FST_…`) map by
 * code, then by 4xx status; other errors carrying a 4xx `statusCode` (plugins) map by status with a generic
 * detail; everything else is GALLEY_INTERNAL with the original kept as `cause` for the log.
 */
export function toGalleyError(error: unknown): GalleyError {
  if (error instanceof GalleyError) return error;
  const e = asErrorLike(error);
  const fastifyCode = typeof e.code === 'string' && e.code.startsWith('FST_') ? e.code : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (Array.isArray(e.validation)) {
    const errors = fieldErrors(e.validation, locationOf(e.validationContext));
    const detail = errors.map((f) => `${f.field || '(root)'} ${f.message}`).join('; ');
    return new GalleyError('GALLEY_VALIDATION_FAILED', detail || undefined, { cause: error, errors });
  }
  const mapped = fastifyCode === undefined ? undefined : FASTIFY_CODES[fastifyCode];
  if (mapped !== undefined) return new GalleyError(mapped, undefined, { cause: error });
  if (status !== undefined && status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'GALLEY_BAD_REQUEST';
    // Fastify's own 4xx messages are written for clients; a plugin's might not be, so those get the title.
    const detail = fastifyCode !== undefined && typeof e.message === 'string' ? e.message : undefined;
    return new GalleyError(code, detail, { cause: error });
  }
  return new GalleyError('GALLEY_INTERNAL', undefined, { cause: error });
}

function locationOf(context: unknown): FieldError['location'] {
  return context === 'body' || context === 'querystring' || context === 'params' || context === 'headers'
    ? context
    : undefined;
}

/** Escapes one JSON pointer segment (RFC 6901). */
function pointerSegment(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Turns validator errors (TypeBox or Ajv, which share a shape) into one entry per offending field: missing and
 * unexpected properties are named by their own pointer, not their parent's.
 */
export function fieldErrors(validation: readonly unknown[], location: FieldError['location']): readonly FieldError[] {
  const out = new Map<string, FieldError>();
  const add = (field: string, message: string): void => {
    const key = `${field}\u0000${message}`;
    if (!out.has(key)) out.set(key, location === undefined ? { field, message } : { field, message, location });
  };
  for (const raw of validation as readonly Partial<FastifySchemaValidationError>[]) {
    const path = typeof raw.instancePath === 'string' ? raw.instancePath : '';
    const params = raw.params ?? {};
    if (raw.keyword === 'required') {
      for (const name of [...stringList(params.requiredProperties), ...stringList(params.missingProperty)]) {
        add(`${path}/${pointerSegment(name)}`, 'is required');
      }
    } else if (raw.keyword === 'additionalProperties') {
      for (const name of [...stringList(params.additionalProperties), ...stringList(params.additionalProperty)]) {
        add(`${path}/${pointerSegment(name)}`, 'is not allowed');
      }
    } else if (raw.keyword === 'boolean' && raw.message === 'schema is false') {
      // TypeBox reports an unexpected property twice: as `false` schema at the property and on its parent.
      add(path, 'is not allowed');
    } else {
      add(path, raw.message ?? 'is invalid');
    }
  }
  return [...out.values()];
}

/** The problem body for an error raised while serving `instance` (a request path). */
export function problemBody(error: GalleyError, requestId: string, instance: string | undefined): Problem {
  const body: Problem = {
    ...error.extensions,
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.publicDetail,
    code: error.code,
    requestId,
  };
  if (instance !== undefined) body.instance = instance;
  if (error.errors !== undefined && error.errors.length > 0) body.errors = [...error.errors];
  return body;
}

/** The path of a request URL without its query string (which may carry secrets), as problem `instance`. */
export function instanceOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
