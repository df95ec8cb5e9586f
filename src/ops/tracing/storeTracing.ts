/**
 * Store spans: one CLIENT span per query, named `<OPERATION> <table>` (`SELECT entries`, `INSERT events`), with
 * `db.system.name`, `db.operation.name`, `db.collection.name` and the rows returned or affected. No SQL text and no
 * parameters are recorded (they carry tenant data); the span name is the query's summary.
 *
 * Queries are seen through a Kysely plugin, so every query built from `store.db` — inside transactions, and
 * through `withTables()` — is covered without touching the adapters. Kysely calls a plugin before a query runs and
 * after it succeeds but not when it fails, so a failed query leaves no span of its own (the request or job span
 * around it records the error). Prepared reads (`store.prepare`) are wrapped directly and do record failures.
 * Spans are made only under a recording parent (spans.ts `childSpan`).
 */
import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import {
  AliasNode,
  type Compilable,
  DeleteQueryNode,
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  RawNode,
  type RootOperationNode,
  SelectQueryNode,
  TableNode,
  type UnknownRow,
  UpdateQueryNode,
} from 'kysely';
import type { Dialect, PreparedRead, Store } from '../../data/store/port.ts';
import { activeTracer, childSpan } from './spans.ts';

/** `db.system.name` of a store dialect. */
function systemName(dialect: Dialect): string {
  return dialect === 'postgres' ? DB_SYSTEM_NAME_VALUE_POSTGRESQL : 'sqlite';
}

/** The table a FROM/INTO/UPDATE target names, when it is a plain (possibly aliased) table. */
function tableOf(node: OperationNode | undefined): string | undefined {
  const table = node !== undefined && AliasNode.is(node) ? node.node : node;
  return table !== undefined && TableNode.is(table) ? table.table.identifier.name : undefined;
}

/** Operation and table of a query tree. */
export function querySummary(node: RootOperationNode): { operation: string; table: string | undefined } {
  if (SelectQueryNode.is(node)) return { operation: 'SELECT', table: tableOf(node.from?.froms[0]) };
  if (InsertQueryNode.is(node)) return { operation: 'INSERT', table: tableOf(node.into) };
  if (UpdateQueryNode.is(node)) return { operation: 'UPDATE', table: tableOf(node.table) };
  if (DeleteQueryNode.is(node)) return { operation: 'DELETE', table: tableOf(node.from.froms[0]) };
  if (RawNode.is(node)) {
    const word = /^\s*([A-Za-z]+)/.exec(node.sqlFragments[0] ?? '')?.[1];
    return { operation: word === undefined ? 'SQL' : word.toUpperCase(), table: undefined };
  }
  return { operation: node.kind.replace(/QueryNode$|Node$/, '').toUpperCase(), table: undefined };
}

function spanName(summary: { operation: string; table: string | undefined }): string {
  return summary.table === undefined ? summary.operation : `${summary.operation} ${summary.table}`;
}

/** Rows a result returned or affected. */
function rowsOf(result: QueryResult<UnknownRow>): number {
  return result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0);
}

/**
 * The Kysely plugin behind store spans. A builder run twice shares its query id, so spans wait per id in order;
 * a query that fails leaves its span unended, and the WeakMap lets it go with the id.
 */
export function storeTracingPlugin(dialect: Dialect): KyselyPlugin {
  const open = new WeakMap<QueryId, Span[]>();
  const system = systemName(dialect);
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const tracer = activeTracer();
      if (tracer === undefined || trace.getActiveSpan()?.isRecording() !== true) return node;
      const summary = querySummary(node);
      const span = tracer.startSpan(spanName(summary), {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: system,
          [ATTR_DB_OPERATION_NAME]: summary.operation,
          ...(summary.table === undefined ? {} : { [ATTR_DB_COLLECTION_NAME]: summary.table }),
        },
      });
      const waiting = open.get(queryId);
      if (waiting === undefined) open.set(queryId, [span]);
      else waiting.push(span);
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const span = open.get(queryId)?.shift();
      if (span !== undefined) {
        span.setAttribute('galley.db.rows', rowsOf(result));
        span.end();
      }
      return result;
    },
  };
}

/** A prepared read whose runs are spans. */
function tracedPrepared<Row>(
  inner: PreparedRead<Row>,
  name: string,
  attributes: Record<string, string>,
): PreparedRead<Row> {
  return {
    first: (parameters) =>
      childSpan(name, SpanKind.CLIENT, attributes, async (span) => {
        const row = await inner.first(parameters);
        span?.setAttribute('galley.db.rows', row === undefined ? 0 : 1);
        return row;
      }),
    all: (parameters) =>
      childSpan(name, SpanKind.CLIENT, attributes, async (span) => {
        const rows = await inner.all(parameters);
        span?.setAttribute('galley.db.rows', rows.length);
        return rows;
      }),
  };
}

/** The store with query spans; same behaviour otherwise (closing it closes the original). */
export function traceStore(store: Store): Store {
  const system = systemName(store.dialect);
  return {
    dialect: store.dialect,
    db: store.db.withPlugin(storeTracingPlugin(store.dialect)),
    prepare<Row>(query: Compilable<Row>): PreparedRead<Row> {
      // Compiled outside any span: compiling runs the plugin, which would open a query span nothing ends.
      const compiled = context.with(ROOT_CONTEXT, () => query.compile());
      const summary = querySummary(compiled.query);
      return tracedPrepared(store.prepare({ compile: () => compiled }), spanName(summary), {
        [ATTR_DB_SYSTEM_NAME]: system,
        [ATTR_DB_OPERATION_NAME]: summary.operation,
        ...(summary.table === undefined ? {} : { [ATTR_DB_COLLECTION_NAME]: summary.table }),
      });
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
