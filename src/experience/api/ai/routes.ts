/**
 * AI help for the editor, under `/api/v1/tenants/:tenant` (`:tenant` is the tenant slug):
 *
 *   POST  /entries/:id/ai/:task      run a task on an entry: 200 with the memoized result, or 202 with the job
 *   GET   /ai/jobs/:job              a job's state and, once finished, its result
 *   GET   /ai/jobs/:job/events       server-sent events: one `completed` (or `failed`) event, then the end
 *   GET   /ai/usage?month=yyyy-mm    tokens and cost this month against the caps, per task and model
 *   GET   /ai/calls?limit&cursor     the call audit, newest first (owners and admins)
 *   PATCH /ai/settings               caps, behaviour at the cap, PII redaction, tier (owners and admins)
 *
 * Every route needs a bearer token; the tenant is checked first, then the role (intelligence/aiPolicies.ts).
 * The AI runtime is opened on first use and released when the app closes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authorizeAi } from '../../../intelligence/aiPolicies.ts';
import { listCalls } from '../../../intelligence/audit/callLister.ts';
import { updateAiSettings } from '../../../intelligence/budgets/aiSettingsUpdater.ts';
import { type AiUsage, readAiUsage } from '../../../intelligence/budgets/aiUsageReader.ts';
import { isFinished, readAiJob } from '../../../intelligence/gateway/aiJobReader.ts';
import { type AiRuntime, type AiRuntimeLease, acquireAiRuntime } from '../../../intelligence/gateway/aiRuntime.ts';
import { requestAiTask } from '../../../intelligence/gateway/aiTaskRequester.ts';
import { requireAuth } from '../../auth/verify/authenticate.ts';
import { problemResponse } from '../../http/problem.ts';
import { tenantAccess } from '../entries/access.ts';
import type { ApiContext } from '../index.ts';
import {
  CallPage,
  CallsQuery,
  JobParams,
  JobView,
  SettingsBody,
  TaskDone,
  TaskParams,
  TaskQueued,
  TenantParams,
  UsageQuery,
  UsageView,
} from './schemas.ts';

const TAGS = ['ai'];

/** Usage as JSON (arrays copied out of the frozen value). */
function presentUsage(usage: AiUsage) {
  return { ...usage, warnings: [...usage.warnings], byTaskAndModel: [...usage.byTaskAndModel] };
}
const ERRORS = {
  400: problemResponse('Invalid path, query or body (GALLEY_VALIDATION_FAILED)'),
  401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
  403: problemResponse('Role not allowed, or the task is switched off (GALLEY_FORBIDDEN, GALLEY_AI_TASK_DISABLED)'),
  404: problemResponse('No such tenant, entry, task or job (GALLEY_NOT_FOUND, GALLEY_AI_TASK_UNKNOWN)'),
};
/** How long an event stream waits for its job before ending with a `timeout` event. */
const EVENT_STREAM_WAIT_MS = 120_000;

/** Registers the AI routes (mounted under `/api/v1`). */
export const aiRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { config, plane, metrics }) => {
  let lease: Promise<AiRuntimeLease> | undefined;
  const runtime = async (): Promise<AiRuntime> => {
    lease ??= acquireAiRuntime(plane, config, metrics);
    try {
      return (await lease).runtime;
    } catch (error) {
      lease = undefined;
      throw error;
    }
  };
  app.addHook('onClose', async () => {
    const held = await lease?.catch(() => undefined);
    await held?.release();
  });
  app.addHook('onRequest', requireAuth);
  const db = plane.store.db;

  app.post(
    '/tenants/:tenant/entries/:id/ai/:task',
    {
      schema: {
        tags: TAGS,
        summary: 'Run an AI task on an entry: the memoized result (200) or a queued job (202)',
        params: TaskParams,
        response: {
          200: TaskDone,
          202: TaskQueued,
          422: problemResponse('The entry is empty or holds refused instructions (GALLEY_AI_INPUT_*)'),
          503: problemResponse('No prompt version serves the task (GALLEY_AI_PROMPT_MISSING)'),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const outcome = await requestAiTask({
        runtime: await runtime(),
        actor: principal,
        tenantId,
        entryId: request.params.id,
        task: request.params.task,
      });
      reply.header('cache-control', 'no-store');
      if (outcome.kind === 'done')
        return reply.code(200).send({ status: 'done', task: request.params.task, result: outcome.result });
      const url = `/api/v1/tenants/${request.params.tenant}/ai/jobs/${outcome.jobId}`;
      return reply
        .code(202)
        .header('location', url)
        .send({
          status: 'queued',
          task: request.params.task,
          job: { id: outcome.jobId, url, events: `${url}/events` },
        });
    },
  );

  app.get(
    '/tenants/:tenant/ai/jobs/:job',
    {
      schema: {
        tags: TAGS,
        summary: "An AI job's state and result",
        params: JobParams,
        response: { 200: JobView, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const view = await readAiJob({ runtime: await runtime(), actor: principal, tenantId, jobId: request.params.job });
      reply.header('cache-control', 'no-store');
      return view;
    },
  );

  app.get(
    '/tenants/:tenant/ai/jobs/:job/events',
    {
      schema: {
        tags: TAGS,
        summary: "Server-sent events for an AI job: one 'completed', 'failed', 'cancelled' or 'timeout' event",
        params: JobParams,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: "text/event-stream: ': waiting', then one event named after the job's final state",
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const rt = await runtime();
      const read = () => readAiJob({ runtime: rt, actor: principal, tenantId, jobId: request.params.job });
      await read(); // 404 before the stream starts
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      reply.raw.write(': waiting\n\n');
      const gone = new AbortController();
      // The response's close fires when the client goes away (the request's fires once its body is read).
      reply.raw.once('close', () => gone.abort());
      const finished = await rt.completions.wait(request.params.job, async () => isFinished(await read()), {
        timeoutMs: EVENT_STREAM_WAIT_MS,
        signal: gone.signal,
      });
      if (!gone.signal.aborted) {
        const view = finished ? await read() : undefined;
        const event = view === undefined ? 'timeout' : view.state;
        reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(view ?? { id: request.params.job })}\n\n`);
      }
      reply.raw.end();
    },
  );

  app.get(
    '/tenants/:tenant/ai/usage',
    {
      schema: {
        tags: TAGS,
        summary: "The tenant's AI tokens and cost this month against its caps",
        params: TenantParams,
        querystring: UsageQuery,
        response: { 200: UsageView, ...ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const rt = await runtime();
      const usage = await readAiUsage({
        store: plane.store,
        budgets: rt.budgets,
        settings: rt.settings,
        actor: principal,
        tenantId,
        ...(request.query.month === undefined ? {} : { month: request.query.month }),
      });
      return presentUsage(usage);
    },
  );

  app.get(
    '/tenants/:tenant/ai/calls',
    {
      schema: {
        tags: TAGS,
        summary: 'The AI call audit, newest first',
        params: TenantParams,
        querystring: CallsQuery,
        response: { 200: CallPage, ...ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      authorizeAi('ai.audit.read', principal, { tenantId });
      const page = await listCalls({
        store: plane.store,
        tenantId,
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
        ...(request.query.task === undefined ? {} : { task: request.query.task }),
      });
      return { items: [...page.items], next: page.next };
    },
  );

  app.patch(
    '/tenants/:tenant/ai/settings',
    {
      schema: {
        tags: TAGS,
        summary: "Change the tenant's AI caps, behaviour at the cap, PII redaction or tier",
        params: TenantParams,
        body: SettingsBody,
        response: { 200: UsageView, ...ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const rt = await runtime();
      const { monthlyTokenCap, monthlyCostCapUsd, ...rest } = request.body;
      await updateAiSettings({
        store: plane.store,
        actor: principal,
        tenantId,
        change: {
          ...rest,
          ...(monthlyTokenCap === undefined ? {} : { monthlyTokenCap }),
          ...(monthlyCostCapUsd === undefined ? {} : { monthlyCostCapUsd }),
        },
      });
      rt.settings.forget(tenantId);
      return presentUsage(
        await readAiUsage({
          store: plane.store,
          budgets: rt.budgets,
          settings: rt.settings,
          actor: principal,
          tenantId,
        }),
      );
    },
  );
};
