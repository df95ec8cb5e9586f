import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { TASK_NAMES, TASK_OUTPUT_SCHEMAS } from '../../src/intelligence/tasks.ts';
import { type ModelServer, startModelServer } from './modelServer.ts';

const ENTRY =
  'Galley 2.0 ships today. Contact press@example.com or +44 20 7946 0958 for editorial details. ' +
  'Editors get faster previews and editors get scheduling.\n\n1. [e-17] Scheduling guide — how to plan\n2. [e-42] Preview tips — faster previews';

async function chat(server: ModelServer, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function chatBody(task: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: `<entry>${ENTRY}</entry>` },
    ],
    response_format: { type: 'json_schema', json_schema: { name: `galley_${task}`, schema: {} } },
    ...extra,
  };
}

describe('test model server', () => {
  let server: ModelServer;
  before(async () => {
    server = await startModelServer();
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('answers every task with schema-valid JSON by default (OpenAI and Anthropic shapes)', async () => {
    for (const task of TASK_NAMES) {
      const openai = (await (await chat(server, chatBody(task))).json()) as {
        choices: { message: { content: string }; finish_reason: string }[];
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      const output: unknown = JSON.parse(openai.choices[0]?.message.content ?? '');
      assert.ok(Value.Check(TASK_OUTPUT_SCHEMAS[task], output), `${task}: ${JSON.stringify(output)}`);
      assert.equal(openai.choices[0]?.finish_reason, 'stop');
      assert.ok(openai.usage.prompt_tokens > 0 && openai.usage.completion_tokens > 0);

      const anthropic = (await (
        await fetch(`${server.url}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'galley-task': task },
          body: JSON.stringify({
            model: 'claude-haiku-4-5',
            max_tokens: 1000,
            system: 'sys',
            messages: [{ role: 'user', content: `<entry>${ENTRY}</entry>` }],
          }),
        })
      ).json()) as { content: { text: string }[]; stop_reason: string; usage: { input_tokens: number } };
      assert.deepEqual(JSON.parse(anthropic.content[0]?.text ?? ''), output);
      assert.equal(anthropic.stop_reason, 'end_turn');
    }
    assert.deepEqual(
      server.requests.map((r) => r.task),
      TASK_NAMES.flatMap((t) => [t, t]),
    );
  });

  it('derives outputs from the entry text', async () => {
    const reply = async (task: string): Promise<unknown> => {
      const json = (await (await chat(server, chatBody(task))).json()) as {
        choices: { message: { content: string } }[];
      };
      return JSON.parse(json.choices[0]?.message.content ?? '');
    };
    assert.deepEqual(await reply('summary'), { summary: 'Galley 2.0 ships today.' });
    const pii = (await reply('pii')) as { findings: { kind: string; text: string }[]; redacted: string };
    assert.deepEqual(
      pii.findings.map((f) => [f.kind, f.text]),
      [
        ['email', 'press@example.com'],
        ['phone', '+44 20 7946 0958'],
      ],
    );
    assert.match(pii.redacted, /Contact \[EMAIL\] or \[PHONE\] for/);
    assert.deepEqual(await reply('related'), {
      related: [
        { entryId: 'e-17', title: 'Scheduling guide', score: 1 },
        { entryId: 'e-42', title: 'Preview tips', score: 0.9 },
      ],
    });
    assert.ok(((await reply('tags')) as { tags: string[] }).tags.includes('editors'));
  });

  it('reads the task from a prompt marker and truncates at max_tokens', async () => {
    const response = await chat(server, {
      model: 'm',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'galley-task: seo\nA long description of something quite wordy.' }],
    });
    const json = (await response.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    assert.equal(server.requests[0]?.task, 'seo');
    assert.equal(json.choices[0]?.finish_reason, 'length');
    assert.equal(json.usage.completion_tokens, 3);
    assert.equal(json.choices[0]?.message.content.length, 12);
  });

  it('lists models and 404s unknown routes', async () => {
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
    assert.ok(models.data.some((m) => m.id === 'gpt-4o-mini'));
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    assert.equal((await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{bad' })).status, 400);
  });

  it('scripts failures with Retry-After, then answers normally', async () => {
    server.failNext(2, 429, { retryAfter: 7 });
    const first = await chat(server, chatBody('summary'));
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal(((await first.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
    assert.equal((await chat(server, chatBody('summary'))).status, 429);
    assert.equal((await chat(server, chatBody('summary'))).status, 200);
  });

  it('adds latency, scaled by slow()', async () => {
    server.latency(40);
    let started = performance.now();
    await (await chat(server, chatBody('summary'))).json();
    assert.ok(performance.now() - started >= 38);
    server.slow(5);
    started = performance.now();
    await (await chat(server, chatBody('summary'))).json();
    assert.ok(performance.now() - started >= 195);
  });

  it('refuses connections while down and serves again after up', async () => {
    await server.down();
    await assert.rejects(chat(server, chatBody('summary')), TypeError);
    await server.up();
    assert.equal((await chat(server, chatBody('summary'))).status, 200);
  });

  it('hangs until the client gives up, and close() ends pending hangs', async () => {
    server.reply(() => ({ hang: true }));
    await assert.rejects(
      fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(chatBody('summary')),
        signal: AbortSignal.timeout(80),
      }),
      (e: unknown) => e instanceof DOMException && e.name === 'TimeoutError',
    );
    const other = await startModelServer();
    other.reply(() => ({ hang: true }));
    const pending = chat(other, chatBody('summary'));
    await other.waitForRequests(1);
    assert.equal(other.inFlight, 1);
    await other.close();
    await assert.rejects(pending, TypeError);
  });

  it('sends scripted JSON, raw bodies and status answers', async () => {
    server.reply((request) =>
      request.task === 'tags' ? { json: { tags: ['x'] } } : { status: 503, headers: { 'x-why': 'maintenance' } },
    );
    const ok = (await (await chat(server, chatBody('tags'))).json()) as { choices: { message: { content: string } }[] };
    assert.equal(ok.choices[0]?.message.content, '{"tags":["x"]}');
    const down = await chat(server, chatBody('seo'));
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('x-why'), 'maintenance');
  });
});
