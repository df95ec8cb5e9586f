/**
 * A Kysely driver over `node:sqlite` with two connections to one WAL database:
 *
 * - the **write connection** runs transactions and every statement that is not a plain SELECT;
 * - the **read connection** runs plain SELECTs outside transactions. In WAL mode a reader sees the last
 *   committed state and never blocks the writer, so reads need no lock at all.
 *
 * Only transactions take the mutex (they own the write connection from BEGIN to COMMIT). Statements are
 * synchronous, so JavaScript cannot interleave two of them on one connection.
 *
 * **Group commit.** A commit costs a WAL append and lock traffic (~100 µs here) whatever it holds, so autocommit
 * writes that arrive in the same event-loop turn share one transaction: the first opens it, the others join,
 * and it commits on the next turn. Each write's promise resolves only after that COMMIT (an acknowledged write is
 * durable). A statement that fails rolls back alone (SQLite's statement-level ABORT) and rejects alone; if SQLite
 * abandons the whole transaction (I/O error, full disk), every write of that group rejects.
 *
 * Why not Kysely's SqliteDialect: it serializes every query, reads included, behind one promise mutex, which
 * halves point-read throughput and lets a long transaction stall every reader.
 */
import type { DatabaseSync } from 'node:sqlite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { StatementCache } from './statementCache.ts';

/** A FIFO lock whose `tryLock` succeeds synchronously when it is free (so a write group can open in this turn). */
class Mutex {
  #held = false;
  readonly #waiters: Array<(release: () => void) => void> = [];

  /** Takes the lock now if it is free. */
  tryLock(): (() => void) | undefined {
    if (this.#held) return undefined;
    this.#held = true;
    return this.#releaser();
  }

  /** Resolves with a release function once the lock is ours. */
  lock(): Promise<() => void> {
    const now = this.tryLock();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the lock straight to the next waiter, so nobody can barge in between.
      const next = this.#waiters.shift();
      if (next === undefined) this.#held = false;
      else next(this.#releaser());
    };
  }
}

/** One Kysely "connection": a handle that routes each statement to the right SQLite connection. */
class RoutingConnection implements DatabaseConnection {
  readonly #driver: NodeSqliteDriver;
  /** Set while this handle owns a transaction. */
  release: (() => void) | undefined;
  constructor(driver: NodeSqliteDriver) {
    this.#driver = driver;
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.release !== undefined) return this.#driver.write.execute<R>(compiled);
    if (SelectQueryNode.is(compiled.query)) return this.#driver.read.execute<R>(compiled);
    return this.#driver.groupWrite<R>(compiled);
  }
  // biome-ignore lint/correctness/useYield: streaming is not offered; Kysely requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the node:sqlite driver');
  }
}

/** Autocommit writes sharing one transaction. */
interface WriteGroup {
  /** Settles when the group's COMMIT has run. */
  readonly committed: Promise<void>;
  /** Set when SQLite abandoned the transaction; members that ran before it reject with this. */
  aborted: unknown;
}

/** The Kysely driver; `write` and `read` are the two statement caches. */
export class NodeSqliteDriver implements Driver {
  readonly write: StatementCache;
  readonly read: StatementCache;
  readonly mutex = new Mutex();
  /** Called after every successful COMMIT of the write connection (the store's WAL checkpointer counts them). */
  onCommit: (() => void) | undefined;
  readonly #databases: readonly DatabaseSync[];
  readonly #writeDb: DatabaseSync;
  #group: WriteGroup | undefined;
  #pending: Promise<WriteGroup> | undefined;

  constructor(writeDb: DatabaseSync, readDb: DatabaseSync) {
    this.write = new StatementCache(writeDb);
    this.read = readDb === writeDb ? this.write : new StatementCache(readDb);
    this.#databases = readDb === writeDb ? [writeDb] : [writeDb, readDb];
    this.#writeDb = writeDb;
  }

  /** Runs an autocommit write inside the current write group (opening one if needed); resolves after COMMIT. */
  async groupWrite<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const group = this.#group ?? this.#nextGroup();
    const joined = group instanceof Promise ? await group : group;
    let result: QueryResult<R>;
    try {
      result = await this.write.execute<R>(compiled);
    } catch (error) {
      // A failed statement normally rolls back alone; if SQLite dropped the whole transaction, end the group so
      // later writes start a fresh one, and fail the writes that ran inside it.
      if (!this.#writeDb.isTransaction && this.#group === joined) {
        joined.aborted = error;
        this.#group = undefined;
      }
      throw error;
    }
    await joined.committed;
    if (joined.aborted !== undefined) throw joined.aborted;
    return result;
  }

  /**
   * The group the next write joins: opened synchronously when the lock is free, else one shared promise that
   * every write arriving while a transaction holds the lock awaits, so they still commit together.
   */
  #nextGroup(): WriteGroup | Promise<WriteGroup> {
    const release = this.mutex.tryLock();
    if (release !== undefined) return this.#startGroup(release);
    this.#pending ??= this.mutex.lock().then((r) => {
      this.#pending = undefined;
      return this.#startGroup(r);
    });
    return this.#pending;
  }

  #startGroup(release: () => void): WriteGroup {
    try {
      this.write.exec('begin immediate');
    } catch (error) {
      release();
      throw error;
    }
    let settle: () => void = () => {};
    const group: WriteGroup = { committed: new Promise<void>((resolve) => (settle = resolve)), aborted: undefined };
    this.#group = group;
    setImmediate(() => {
      if (this.#group === group) this.#group = undefined;
      try {
        if (group.aborted === undefined) {
          this.write.exec('commit');
          this.onCommit?.();
        }
      } catch (error) {
        group.aborted = error;
        if (this.#writeDb.isTransaction) this.write.exec('rollback');
      } finally {
        release();
        settle();
      }
    });
    return group;
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutingConnection(this);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const routing = connection as RoutingConnection;
    routing.release = await this.mutex.lock();
    try {
      // IMMEDIATE takes SQLite's write lock now, so another process cannot make this transaction fail with
      // SQLITE_BUSY when it later upgrades from reading to writing.
      this.write.exec('begin immediate');
    } catch (error) {
      routing.release();
      routing.release = undefined;
      throw error;
    }
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.#end(connection as RoutingConnection, 'commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.#end(connection as RoutingConnection, 'rollback');
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    // Let writes already acknowledged-to-be commit before the connections go.
    await this.#group?.committed;
    await this.#pending?.then((g) => g.committed);
    for (const db of this.#databases) if (db.isOpen) db.close();
  }
  #end(connection: RoutingConnection, command: 'commit' | 'rollback'): void {
    try {
      this.write.exec(command);
      if (command === 'commit') this.onCommit?.();
    } finally {
      connection.release?.();
      connection.release = undefined;
    }
  }
}

/** A Kysely dialect around a write and a read connection (pass the same database twice for `:memory:`). */
export function nodeSqliteDialect(
  writeDb: DatabaseSync,
  readDb: DatabaseSync,
): { dialect: Dialect; driver: NodeSqliteDriver } {
  const driver = new NodeSqliteDriver(writeDb, readDb);
  const dialect: Dialect = {
    createDriver: () => driver,
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new SqliteIntrospector(db),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
  };
  return { dialect, driver };
}
