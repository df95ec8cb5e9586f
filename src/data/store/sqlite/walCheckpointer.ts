/**
 * Background WAL checkpoints for the embedded store. SQLite's automatic checkpoint runs inside the COMMIT that
 * pushes the WAL past 1,000 pages: on the write connection, hence on the event loop, copying those pages into the
 * database file and fsyncing it — a stall of tens to hundreds of milliseconds, about once a second under an
 * editor's write load, that every request in flight waits out.
 *
 * Once a store has committed `startAfterCommits` transactions (a server under load, not a short test or CLI run),
 * this starts a worker thread with its own connection that runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`, and switches the write connection's automatic checkpoint off. A PASSIVE checkpoint never blocks the
 * writer or the readers, and the writer still restarts the WAL from its beginning when a checkpoint has copied all
 * of it, exactly as with automatic checkpoints. Durability is unchanged: a COMMIT is durable once in the WAL
 * (synchronous=NORMAL); checkpoints only move committed pages into the database file. If the worker fails, the
 * write connection's automatic checkpoint comes back.
 */
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/** Options of WalCheckpointer. */
export interface WalCheckpointerOptions {
  /** The database file (not ':memory:'). */
  readonly filename: string;
  /** The write connection, whose automatic checkpoint is switched off while the worker runs. */
  readonly writeDb: DatabaseSync;
  /** Commits before the worker starts (default 128). */
  readonly startAfterCommits?: number;
  /** Pause between two checkpoints, ms (default 100). */
  readonly intervalMs?: number;
}

/** SQLite's default `wal_autocheckpoint`, restored when the worker stops. */
const DEFAULT_AUTOCHECKPOINT = 1000;

// CommonJS source of the worker (eval'd: no separate file to resolve or type-strip).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.filename, { timeout: 0 });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.get(); } catch { /* busy or closing: the next round tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

/** Starts background checkpoints once the store is busy; `close()` stops them. */
export class WalCheckpointer {
  readonly #options: WalCheckpointerOptions;
  #commits = 0;
  #worker: Worker | undefined;
  #closed = false;

  constructor(options: WalCheckpointerOptions) {
    this.#options = options;
  }

  /** True while the worker checkpoints (automatic checkpoints off). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * Counts a COMMIT of the write connection; starts the worker at the threshold. Never throws: it runs right after
   * a COMMIT succeeded, and a worker that cannot start only leaves the automatic checkpoints in place.
   */
  committed(): void {
    this.#commits += 1;
    if (this.#commits !== (this.#options.startAfterCommits ?? 128) || this.#closed) return;
    try {
      this.#start();
    } catch {
      this.#worker = undefined;
    }
  }

  #start(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { filename: this.#options.filename, intervalMs: this.#options.intervalMs ?? 100 },
    });
    worker.unref();
    this.#worker = worker;
    worker.once('message', () => {
      if (this.#worker === worker && this.#options.writeDb.isOpen) {
        this.#options.writeDb.exec('PRAGMA wal_autocheckpoint = 0');
      }
    });
    const fallBack = () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      if (this.#options.writeDb.isOpen) {
        this.#options.writeDb.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      }
    };
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
  }

  /** Stops the worker (closing its connection) before the store's connections close. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    // The worker exits on its own once its port closes; terminate bounds the wait if it is stuck in a checkpoint.
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
    if (this.#options.writeDb.isOpen) {
      this.#options.writeDb.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    }
  }
}
