/**
 * `galley entries list|get|create|import`: the management API's entries from the command line, as the stored
 * login (`galley login`; the token is refreshed as needed). `--url` defaults as for `whoami`; `--tenant` defaults
 * to the tenant logged in to.
 *
 *   list   [--type --status --tag --author --updated-from --updated-to --limit N --cursor C] [--all] [--json]
 *   get    <id> [--json]
 *   create --type T (--field name=value | --field name=@file)… | --json '{"type":…,"fields":{…}}'
 *   import <file.ndjson|-> [--batch 100] [--concurrency 8] [--resume]   (see entriesImport.ts)
 *
 * `--json` prints one JSON object per line (NDJSON). Exit codes: 0 done, 1 refused or failed (including any
 * rejected import line), 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { defaultServerUrl, getAccessToken, readCredentials, serverKey } from './credentialsStore.ts';
import { ImportError, importEntries } from './entriesImport.ts';
import { createManagementClient, type ManagementClient, problemText } from './managementClient.ts';
import { fetchMe } from './whoami.ts';

const USAGE = [
  'usage: galley entries list [--type T] [--status S] [--tag G] [--author A] [--updated-from D] [--updated-to D]',
  '                           [--limit N] [--cursor C] [--all] [--json]',
  '       galley entries get <id> [--json]',
  '       galley entries create --type T --field name=value [--field name=@file …] | --json \'{"type":…,"fields":{…}}\'',
  '       galley entries import <file.ndjson|-> [--batch 100] [--concurrency 8] [--resume]',
  'common: [--url <server URL>] [--tenant <slug>]',
].join('\n');

type Out = (line: string) => void;

class UsageError extends Error {}

const OPTIONS = {
  url: { type: 'string' },
  tenant: { type: 'string' },
  type: { type: 'string' },
  status: { type: 'string' },
  tag: { type: 'string' },
  author: { type: 'string' },
  'updated-from': { type: 'string' },
  'updated-to': { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  // For create: the whole body. For list and get, a bare `--json` is rewritten to `--json=` (NDJSON output).
  json: { type: 'string' },
  field: { type: 'string', multiple: true },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function positiveInt(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return n;
}

interface EntryJson {
  id: string;
  type: string;
  status: string;
  version: number;
  updatedAt: string;
  fields: Record<string, unknown>;
}

function summaryLine(e: EntryJson): string {
  const title = typeof e.fields.title === 'string' ? e.fields.title : '';
  return `${e.id}  ${e.type}  ${e.status}  v${e.version}  ${e.updatedAt}  ${title}`;
}

async function list(client: ManagementClient, values: Values, json: boolean, out: Out): Promise<number> {
  const params = new URLSearchParams();
  const pairs: Array<[string, string | undefined]> = [
    ['type', values.type],
    ['status', values.status],
    ['tag', values.tag],
    ['author', values.author],
    ['updatedFrom', values['updated-from']],
    ['updatedTo', values['updated-to']],
    ['limit', values.limit],
  ];
  for (const [name, value] of pairs) if (value !== undefined) params.set(name, value);
  let cursor = values.cursor ?? null;
  do {
    if (cursor !== null) params.set('cursor', cursor);
    const answer = await client.send({ method: 'GET', path: `entries?${params}` });
    if (answer.status !== 200) {
      out(`galley entries list: ${problemText(answer)}`);
      return 1;
    }
    const page = answer.body as { items: EntryJson[]; next: string | null };
    for (const entry of page.items) out(json ? JSON.stringify(entry) : summaryLine(entry));
    cursor = page.next;
    if (!values.all && cursor !== null && !json) out(`next: ${cursor}`);
  } while (values.all === true && cursor !== null);
  return 0;
}

async function get(client: ManagementClient, id: string | undefined, json: boolean, out: Out): Promise<number> {
  if (id === undefined) throw new UsageError('get needs an entry id');
  const answer = await client.send({ method: 'GET', path: `entries/${encodeURIComponent(id)}` });
  if (answer.status !== 200) {
    out(`galley entries get: ${problemText(answer)}`);
    return 1;
  }
  out(json ? JSON.stringify(answer.body) : JSON.stringify(answer.body, null, 2));
  return 0;
}

/** The create body from `--json`, or from `--type` and `--field name=value|name=@file` (values stay strings). */
export function createBody(values: Values): { type: string; fields: Record<string, unknown> } {
  if (values.json !== undefined) {
    let body: unknown;
    try {
      body = JSON.parse(values.json);
    } catch {
      throw new UsageError('--json is not valid JSON');
    }
    if (typeof body !== 'object' || body === null) throw new UsageError('--json must be an object');
    return body as { type: string; fields: Record<string, unknown> };
  }
  if (values.type === undefined) throw new UsageError('create needs --type (or --json)');
  const fields: Record<string, unknown> = {};
  for (const spec of values.field ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--field ${spec}: expected name=value or name=@file`);
    const name = spec.slice(0, eq);
    const raw = spec.slice(eq + 1);
    fields[name] = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
  }
  return { type: values.type, fields };
}

async function create(client: ManagementClient, values: Values, out: Out): Promise<number> {
  const answer = await client.send({ method: 'POST', path: 'entries', body: createBody(values) });
  if (answer.status !== 201) {
    out(`galley entries create: ${problemText(answer)}`);
    return 1;
  }
  const entry = answer.body as EntryJson;
  out(values.json === undefined ? `created ${entry.id} (${entry.type}, v${entry.version})` : JSON.stringify(entry));
  return 0;
}

async function runImport(client: ManagementClient, file: string | undefined, values: Values, out: Out) {
  if (file === undefined) throw new UsageError('import needs a file (or - for standard input)');
  try {
    const summary = await importEntries({
      client,
      file,
      batchSize: positiveInt(values.batch, 'batch', 100, 10_000),
      concurrency: positiveInt(values.concurrency, 'concurrency', 8, 64),
      resume: values.resume === true,
      out,
    });
    out(
      `imported ${summary.lastLine} lines: ${summary.created} created, ${summary.replayed} already imported, ` +
        `${summary.rejected} rejected${summary.rejected > 0 && file !== '-' ? ` (see ${file}.rejected.ndjson)` : ''}`,
    );
    return summary.rejected > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    out(`galley entries import: ${error.message}`);
    if (file !== '-') out(`settled lines are recorded in ${file}.galley-import; rerun with --resume`);
    return 1;
  }
}

/** The tenant slug: `--tenant`, else the stored login's, else the token's own tenant (`/api/v1/me`). */
async function tenantOf(url: string, values: Values): Promise<string> {
  if (values.tenant !== undefined) return values.tenant;
  const stored = readCredentials(url);
  if (stored?.tenant !== undefined) return stored.tenant;
  return (await fetchMe(url, await getAccessToken(url))).tenant.slug;
}

/** Runs `galley entries`. */
export async function runEntries(args: readonly string[], config: Config, out: Out): Promise<number> {
  try {
    const output = !args.includes('create') && (args.includes('list') || args.includes('get'));
    const rewritten = args.map((a) => (output && a === '--json' ? '--json=' : a));
    const { values, positionals } = parseArgs({ args: rewritten, options: OPTIONS, allowPositionals: true });
    const [action, target] = positionals;
    const url = serverKey(values.url ?? defaultServerUrl(config.publicUrl));
    if (action === undefined || !['list', 'get', 'create', 'import'].includes(action)) {
      throw new UsageError(action === undefined ? 'missing action' : `unknown action ${action}`);
    }
    const client = createManagementClient({ url, tenant: await tenantOf(url, values) });
    const json = values.json !== undefined;
    if (action === 'list') return await list(client, values, json, out);
    if (action === 'get') return await get(client, target, json, out);
    if (action === 'create') return await create(client, values, out);
    return await runImport(client, target, values, out);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      out(`${error.message}\n${USAGE}`);
      return 2;
    }
    out(`galley entries: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
