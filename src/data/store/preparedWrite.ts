/**
 * Write statements built once and run many times: the write-path counterpart of `Store.prepare`, for the
 * statements every entry write runs. Building a Kysely query (parsing the value objects into operation nodes) and
 * compiling it cost 15–30 µs per statement, a tenth of an autosave's CPU; a prepared write builds its operation
 * node once, with slots where the values go, and compiles it once per dialect.
 *
 * It runs through whatever handle it is given (a transaction, as the entry writes do), and still passes every
 * run through that handle's plugins: query spans open and close as for any query, and a plugin that rewrites the
 * query (the projection rebuild's table renames) gets its rewritten query compiled for that run.
 */
import {
  type CompiledQuery,
  createQueryId,
  type Kysely,
  type OperationNodeSource,
  type QueryResult,
  type RootOperationNode,
} from 'kysely';

/** Stands in for a value while the statement is built. */
class Slot {
  readonly key: string;
  constructor(key: string) {
    this.key = key;
  }
}

/** Where each compiled parameter comes from: a named value, or a constant of the statement. */
type Source = { readonly key: string } | { readonly constant: unknown };

interface Compiled {
  readonly compiled: CompiledQuery;
  readonly sources: readonly Source[];
}

/** A statement whose builder only puts slots where its values go (`slot('name')`), nothing else that varies. */
export type WriteBuilder<DB, V> = (
  db: Kysely<DB>,
  slot: <K extends keyof V & string>(key: K) => V[K],
) => OperationNodeSource;

// Per dialect adapter (compiled SQL differs by dialect), per transformed node: plugins that do not rewrite the
// query hand the same node back, so it compiles once; a rewritten node is compiled for its run only.
const compiledByAdapter = new WeakMap<object, WeakMap<RootOperationNode, Compiled>>();

/** A prepared write (see the module comment). */
export class PreparedWrite<DB, V extends Readonly<Record<string, unknown>>> {
  readonly #build: WriteBuilder<DB, V>;
  #node: RootOperationNode | undefined;

  constructor(build: WriteBuilder<DB, V>) {
    this.#build = build;
  }

  /** Runs the statement through `db` with `values` in the slots. */
  execute(db: Kysely<DB>, values: V): Promise<QueryResult<unknown>> {
    this.#node ??= this.#build(db, (key) => new Slot(key) as never).toOperationNode() as RootOperationNode;
    const executor = db.getExecutor();
    const queryId = createQueryId();
    const node = executor.transformQuery(this.#node, queryId);
    let byNode = compiledByAdapter.get(executor.adapter);
    if (byNode === undefined) {
      byNode = new WeakMap();
      compiledByAdapter.set(executor.adapter, byNode);
    }
    let entry = byNode.get(node);
    if (entry === undefined) {
      const compiled = executor.compileQuery(node, queryId);
      const sources = compiled.parameters.map((p): Source => (p instanceof Slot ? { key: p.key } : { constant: p }));
      entry = { compiled, sources };
      byNode.set(node, entry);
    }
    const parameters = entry.sources.map((s) => ('key' in s ? values[s.key] : s.constant));
    return executor.executeQuery({ ...entry.compiled, queryId, parameters });
  }
}
