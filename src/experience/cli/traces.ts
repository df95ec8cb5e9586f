/**
 * `galley traces [--limit n] [--trace <id>] [--json] [--url <server>]`: prints the traces a running server holds in
 * its in-memory span ring (`GET /api/v1/ops/traces`, owners and admins, with the stored login's token), newest
 * first, each as a tree of spans with durations and attributes. `--json` prints the server's answer as it is.
 * The ring belongs to the process that answers: behind a load balancer, each replica holds its own. When the
 * server exports to an OTLP collector instead, it says so and the traces are in the collector.
 *
 * Exit codes: 0 printed, 1 not logged in, refused or unreachable, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { DumpedSpan, DumpedTrace, TraceDump } from '../../ops/tracing/traceDump.ts';
import { defaultServerUrl, getAccessToken, serverKey } from './credentialsStore.ts';

const USAGE = 'usage: galley traces [--limit <1-500>] [--trace <trace id>] [--json] [--url <server URL>]';

type Out = (line: string) => void;

/** Attributes shown in the tree (others are in --json): what tells spans apart at a glance. */
const SHOWN = [
  'http.response.status_code',
  'db.system.name',
  'galley.db.rows',
  'galley.cache.hit',
  'galley.kv.namespace',
  'messaging.message.id',
  'galley.job.attempt',
  'gen_ai.provider.name',
  'gen_ai.response.model',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'galley.prompt.key',
  'galley.prompt.version',
  'galley.flag.variant',
  'error.type',
];

/** `GET <url>/api/v1/ops/traces`; throws with the problem detail when the server refuses. */
export async function fetchTraces(
  url: string,
  accessToken: string,
  query: { readonly limit?: number; readonly traceId?: string },
): Promise<TraceDump> {
  const params = new URLSearchParams();
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.traceId !== undefined) params.set('traceId', query.traceId);
  const suffix = params.size > 0 ? `?${params}` : '';
  const response = await fetch(`${serverKey(url)}/api/v1/ops/traces${suffix}`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as TraceDump & { detail?: string };
  if (!response.ok) throw new Error(`${response.status} ${body.detail ?? 'request refused'}`);
  return body;
}

function spanLine(span: DumpedSpan, depth: number): string {
  const shown = SHOWN.filter((key) => span.attributes[key] !== undefined)
    .map((key) => `${key}=${JSON.stringify(span.attributes[key])}`)
    .join(' ');
  const status =
    span.status === 'error' ? ` ERROR${span.statusMessage === undefined ? '' : `: ${span.statusMessage}`}` : '';
  return `${'  '.repeat(depth + 1)}${span.name} [${span.kind}] ${span.durationMs.toFixed(2)} ms${status}${shown === '' ? '' : `  ${shown}`}`;
}

/** The lines of one trace: a header, then its spans indented by depth (spans come in tree order). */
export function formatTrace(trace: DumpedTrace): string[] {
  const depth = new Map<string, number>();
  const lines = [
    `trace ${trace.traceId}  ${trace.rootName}  ${trace.durationMs.toFixed(2)} ms  ${trace.spans.length} spans  ${trace.startTime}`,
  ];
  for (const span of trace.spans) {
    const parentDepth = span.parentSpanId === undefined ? undefined : depth.get(span.parentSpanId);
    const mine = parentDepth === undefined ? 0 : parentDepth + 1;
    depth.set(span.spanId, mine);
    lines.push(spanLine(span, mine));
  }
  return lines;
}

/** The lines `galley traces` prints for a dump. */
export function formatDump(dump: TraceDump): string[] {
  if (dump.exporter === 'off') return ['tracing is off on this server (GALLEY_TRACE_RING_SIZE=0, no OTLP endpoint)'];
  if (dump.exporter === 'otlp') return ['this server exports spans to its OTLP collector: look for traces there'];
  if (dump.traces.length === 0) return [`no traces held (ring: ${dump.held}/${dump.capacity} spans)`];
  const lines = [`${dump.traces.length} traces (ring: ${dump.held}/${dump.capacity} spans)`];
  for (const trace of dump.traces) lines.push('', ...formatTrace(trace));
  return lines;
}

/** Parsed options, or the usage error. */
function parse(args: readonly string[]): { limit?: number; traceId?: string; json: boolean; url?: string } | string {
  let values: { limit?: string; trace?: string; json?: boolean; url?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        limit: { type: 'string' },
        trace: { type: 'string' },
        json: { type: 'boolean', default: false },
        url: { type: 'string' },
      },
    }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500)) {
    return '--limit takes a whole number from 1 to 500';
  }
  if (values.trace !== undefined && !/^[0-9a-f]{32}$/.test(values.trace)) {
    return '--trace takes a trace id: 32 lower-case hex digits';
  }
  return {
    json: values.json === true,
    ...(limit === undefined ? {} : { limit }),
    ...(values.trace === undefined ? {} : { traceId: values.trace }),
    ...(values.url === undefined ? {} : { url: values.url }),
  };
}

/** Runs `galley traces`. */
export async function runTraces(args: readonly string[], config: Config, out: Out): Promise<number> {
  const options = parse(args);
  if (typeof options === 'string') {
    out(`${options}\n${USAGE}`);
    return 2;
  }
  try {
    const url = serverKey(options.url ?? defaultServerUrl(config.publicUrl));
    const dump = await fetchTraces(url, await getAccessToken(url), options);
    if (options.json) out(JSON.stringify(dump, null, 2));
    else for (const line of formatDump(dump)) out(line);
    return 0;
  } catch (error) {
    out(`galley traces: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
