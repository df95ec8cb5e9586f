/**
 * FOR CONTRACT TESTS ONLY. A freshly seeded sandbox per test file (so files run in parallel): its own store
 * (SQLite file or PostgreSQL schema), a tenant with the sandbox `article` type, buildApp over the real data plane,
 * and the app's own `/openapi.json`.
 *
 * `call(operation, request)` is the whole contract check: the request must itself satisfy the documented
 * parameters and body schema (unless it is meant to be invalid), the answer's status must be one the operation
 * documents, and its body must satisfy the schema documented for that status and content type. Every operation
 * answered with a documented success is recorded, so `assertCovered` can prove a file exercised what
 * operations.ts assigns to it.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openWebhookBench, TEST_MASTER_SECRET, type WebhookBench } from '../../src/content/webhooks/testing.ts';
import type { MemberRole, TenantsTable } from '../../src/data/store/schema.ts';
import { openVerifyHarness, type VerifyHarness } from '../../src/experience/auth/verify/testHarness.ts';
import { registerPromptSources } from '../../src/intelligence/prompts/promptRegistrar.ts';
import { buildArticleType, buildTenant } from '../factories.ts';
import type { Backend } from '../support/backends.ts';

/** The part of an OpenAPI 3.1 document the checks read. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
}

/** One operation of the document. */
export interface OpenApiOperation {
  readonly parameters?: readonly { name: string; in: string; required?: boolean; schema: unknown }[];
  readonly requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  readonly responses: Readonly<Record<string, { content?: Record<string, { schema: unknown }> }>>;
}

/** `METHOD /path/{template}`, as the document names it. */
export type OperationKey = string;

/** Paths whose operations need contract cases: the management API of a tenant and the delivery API. */
export const CONTRACT_SCOPE: readonly RegExp[] = [/^\/api\/v1\/tenants\/\{tenant\}\//, /^\/cdn\/v1\//];

/** Every in-scope operation of `doc`. */
export function scopedOperations(doc: OpenApiDocument): OperationKey[] {
  const keys: OperationKey[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!CONTRACT_SCOPE.some((re) => re.test(path))) continue;
    for (const method of Object.keys(methods)) keys.push(`${method.toUpperCase()} ${path}`);
  }
  return keys.sort();
}

/** A request of one operation. */
export interface ContractRequest {
  /** Path parameters besides `tenant` (which defaults to the sandbox tenant's slug). */
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Role of the bearer token (default editor); null sends no token. */
  readonly role?: MemberRole | null;
  /** The request breaks the documented request schema on purpose: skip the request-side check. */
  readonly invalid?: boolean;
}

/** What a contract file works with. */
export interface ContractSandbox {
  readonly bench: WebhookBench;
  readonly app: FastifyInstance;
  readonly tenant: TenantsTable;
  readonly doc: OpenApiDocument;
  /** Sends `request` to `operation` and checks both against the document; returns the answer. */
  call(operation: OperationKey, request?: ContractRequest): Promise<LightMyRequestResponse>;
  /** Operations answered with a documented 2xx/3xx so far. */
  readonly covered: ReadonlySet<OperationKey>;
  cleanup(): Promise<void>;
}

function operationOf(doc: OpenApiDocument, key: OperationKey): OpenApiOperation {
  const [method = '', path = ''] = key.split(' ');
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `${key} is not in /openapi.json`);
  return op;
}

function check(schema: unknown, value: unknown, what: string): void {
  const unsafe = Type.Unsafe(schema as Record<string, unknown>);
  if (Value.Check(unsafe, value)) return;
  const errors = [...Value.Errors(unsafe, value)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`);
  assert.fail(`${what} does not match its documented schema: ${errors.join('; ')}\n${JSON.stringify(value)}`);
}

function checkRequest(key: OperationKey, op: OpenApiOperation, params: Record<string, string>, r: ContractRequest) {
  for (const p of op.parameters ?? []) {
    const source: Record<string, unknown> | undefined =
      p.in === 'path' ? params : p.in === 'query' ? (r.query as Record<string, unknown> | undefined) : undefined;
    if (source === undefined && p.in !== 'query') continue;
    const value = source?.[p.name];
    if (value === undefined) {
      assert.ok(p.required !== true, `${key}: required ${p.in} parameter ${p.name} missing`);
      continue;
    }
    check(p.schema, value, `${key} ${p.in} parameter ${p.name}`);
  }
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  if (r.body !== undefined) {
    assert.ok(bodySchema !== undefined, `${key} documents no JSON body`);
    check(bodySchema, r.body, `${key} request body`);
  } else assert.ok(op.requestBody?.required !== true, `${key}: the body is required`);
}

function checkResponse(key: OperationKey, op: OpenApiOperation, res: LightMyRequestResponse): void {
  const documented = op.responses[String(res.statusCode)] ?? op.responses.default;
  assert.ok(
    documented,
    `${key} answered ${res.statusCode}, which it does not document (${Object.keys(op.responses).join(', ')}): ${res.body}`,
  );
  if (res.statusCode === 204 || res.statusCode === 304) {
    assert.equal(res.body, '', `${key} ${res.statusCode} has no body`);
    return;
  }
  const type = String(res.headers['content-type'] ?? '').split(';')[0] ?? '';
  const content = documented.content?.[type];
  assert.ok(content, `${key} ${res.statusCode} answered ${type}, documented: ${Object.keys(documented.content ?? {})}`);
  // Only JSON bodies are checked against their schema (a text/event-stream answer is checked by its type).
  if (type.endsWith('json')) check(content.schema, res.json(), `${key} ${res.statusCode} body`);
}

function urlOf(key: OperationKey, params: Record<string, string>, query: ContractRequest['query']): string {
  const [, path = ''] = key.split(' ');
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    assert.ok(value !== undefined, `${key}: no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) search.set(k, String(v));
  const qs = search.toString();
  return qs.length === 0 ? filled : `${filled}?${qs}`;
}

/** Opens a sandbox on `backend` (webhooks may target loopback, for the receiver). */
export async function openContractSandbox(backend: Backend): Promise<ContractSandbox> {
  const bench = await openWebhookBench(backend);
  const harness: VerifyHarness = await openVerifyHarness(backend);
  const config = loadConfig(
    {},
    { logLevel: 'silent', maxEventLoopDelayMs: 0, secret: TEST_MASTER_SECRET, webhooksAllowPrivate: true },
  );
  // As `galley serve` does at start-up: the installed prompt sources register before the app serves AI tasks.
  await registerPromptSources({ store: bench.store, dir: config.promptsDir, actor: 'test', kv: bench.plane.kv });
  const app = await buildApp(config, bench.plane, {
    logger: false,
    metrics: bench.metrics,
    verifier: harness.newVerifier(),
  });
  await app.ready();
  const tenant = await buildTenant(bench.store.db);
  await buildArticleType(bench.store, tenant.id);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  const covered = new Set<OperationKey>();

  return {
    bench,
    app,
    tenant,
    doc,
    covered,
    async call(key, request = {}) {
      const op = operationOf(doc, key);
      const params = { tenant: tenant.slug, ...request.params };
      if (request.invalid !== true) checkRequest(key, op, params, request);
      const role = request.role === undefined ? 'editor' : request.role;
      const headers: Record<string, string> = { ...request.headers };
      if (role !== null) {
        headers.authorization = `Bearer ${await harness.mint({ claims: { sub: `contract-${role}`, tid: tenant.id, role } })}`;
      }
      const res = await app.inject({
        method: key.split(' ')[0] as 'GET',
        url: urlOf(key, params, request.query),
        headers,
        ...(request.body === undefined ? {} : { payload: request.body as Record<string, unknown> }),
      });
      checkResponse(key, op, res);
      if (request.invalid !== true && res.statusCode < 400) covered.add(key);
      return res;
    },
    async cleanup() {
      await app.close();
      await bench.cleanup();
      await harness.cleanup();
    },
  };
}

/**
 * Requests that break `operation`'s documented body schema, derived from it: an unexpected property where
 * additional properties are not allowed, and each required property left out in turn.
 */
export function invalidBodies(doc: OpenApiDocument, key: OperationKey, valid: Record<string, unknown>): unknown[] {
  const schema = operationOf(doc, key).requestBody?.content['application/json']?.schema as
    | { required?: string[]; additionalProperties?: unknown }
    | undefined;
  if (schema === undefined) return [];
  const bodies: unknown[] = [];
  if (schema.additionalProperties === false) bodies.push({ ...valid, unexpectedProperty: true });
  for (const name of schema.required ?? []) {
    const { [name]: _, ...rest } = valid;
    bodies.push(rest);
  }
  bodies.push([]);
  return bodies;
}
