/**
 * Records the SQL a migration sends, without changing it. `StatementCapture` is a Kysely plugin: Kysely hands
 * every query (builders and raw `sql` alike) to its plugins just before compiling it, so compiling the node
 * again with the dialect's compiler yields exactly the text the driver receives.
 * `offlinePostgres()` is a Kysely instance that compiles PostgreSQL but never connects (DummyDriver), so
 * `--check` can read every migration's SQL on a machine without a database.
 */
import {
  DummyDriver,
  Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type RootOperationNode,
  SqliteQueryCompiler,
  type UnknownRow,
} from 'kysely';
import type { Dialect } from '../store/port.ts';

/** One statement as sent to the database. */
export interface CapturedStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** A Kysely plugin that appends each query it sees to `statements`; queries pass through unchanged. */
export class StatementCapture implements KyselyPlugin {
  readonly #compiler: QueryCompiler;
  readonly #statements: CapturedStatement[] = [];

  constructor(dialect: Dialect) {
    this.#compiler = dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler();
  }

  /** Statements seen so far, oldest first. */
  get statements(): readonly CapturedStatement[] {
    return this.#statements;
  }

  /** Forgets what was captured (one capture serves several migrations in turn). */
  clear(): void {
    this.#statements.length = 0;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.#compiler.compileQuery(args.node, args.queryId);
    this.#statements.push(Object.freeze({ sql: compiled.sql, parameters: Object.freeze([...compiled.parameters]) }));
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** A statement as one line of text: its SQL, plus its bound parameters as a trailing comment when it has any. */
export function formatStatement(statement: CapturedStatement): string {
  if (statement.parameters.length === 0) return statement.sql;
  const shown = statement.parameters.map((p) => (typeof p === 'bigint' ? p.toString() : p));
  return `${statement.sql} -- parameters: ${JSON.stringify(shown)}`;
}

/** A PostgreSQL Kysely that compiles and "executes" against nothing: every query returns no rows. */
export function offlinePostgres(capture: StatementCapture): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [capture],
  });
}
