/**
 * Offline compatibility check of migrations (`galley migrate --check`). Each migration runs against a Kysely
 * instance that compiles PostgreSQL and connects to nothing, through the same step the real runner uses, so
 * the captured SQL includes the runner's SET LOCAL timeouts. That SQL is then checked by Galley's
 * expand/contract rule (contractRule.ts) and by squawk (squawk.ts), one temporary file per migration.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contractFindings, hasValidContract } from './contractRule.ts';
import { applyStep } from './ledger.ts';
import type { LoadedMigration } from './migration.ts';
import { offlinePostgres, StatementCapture } from './sqlCapture.ts';
import { runSquawk, SQUAWK_CONTRACT_RULES, SQUAWK_EXCLUDED_RULES } from './squawk.ts';

/** One problem found in one migration. */
export interface CompatFinding {
  readonly migrationId: string;
  /** `galley/<rule>` for Galley's own rules, `squawk/<rule>` for squawk's. */
  readonly rule: string;
  readonly message: string;
  /** The offending statement; empty when the finding is about the migration as a whole. */
  readonly sql: string;
}

/** What to check. */
export interface CompatCheckOptions {
  /** Check every migration. Default: only those not listed in `applied`. */
  readonly all?: boolean;
  /** Ids already applied to the target database (see readLedger); ignored when `all` is set. */
  readonly applied?: Iterable<string>;
  /** squawk executable; default: the binary of the squawk-cli dev dependency. */
  readonly squawkPath?: string;
}

/** The PostgreSQL statements `m` sends in a real run (timeouts first), produced without a database. */
export async function postgresStatements(m: LoadedMigration): Promise<readonly string[]> {
  const capture = new StatementCapture('postgres');
  const db = offlinePostgres(capture);
  try {
    await db.transaction().execute((trx) => applyStep(trx, 'postgres', m.migration));
  } finally {
    await db.destroy();
  }
  return capture.statements.map((s) => s.sql);
}

/** Writes the statements one after another, returning for each the 0-based line it starts on. */
async function writeSqlFile(file: string, statements: readonly string[]): Promise<number[]> {
  const starts: number[] = [];
  let line = 0;
  const chunks = statements.map((s) => {
    starts.push(line);
    const text = `${s.trim().replace(/;+$/, '')};\n`;
    line += text.split('\n').length - 1;
    return text;
  });
  await writeFile(file, chunks.join(''));
  return starts;
}

async function squawkFindings(
  m: LoadedMigration,
  statements: readonly string[],
  isContract: boolean,
  dir: string,
  squawkPath: string | undefined,
): Promise<CompatFinding[]> {
  const file = path.join(dir, `${m.id}.sql`);
  const starts = await writeSqlFile(file, statements);
  const exclude = Object.keys(SQUAWK_EXCLUDED_RULES);
  if (isContract) exclude.push(...Object.keys(SQUAWK_CONTRACT_RULES));
  const issues = await runSquawk(file, exclude, squawkPath);
  return issues.map((issue) => {
    let index = 0;
    while (index + 1 < starts.length && (starts[index + 1] ?? Number.POSITIVE_INFINITY) <= issue.line) index++;
    return {
      migrationId: m.id,
      rule: `squawk/${issue.rule_name}`,
      message: issue.help === null ? issue.message : `${issue.message} (${issue.help})`,
      sql: statements[index] ?? '',
    };
  });
}

/**
 * Checks `migrations` (in order; the whole set is needed to judge `contractOf`) and returns every finding,
 * ordered by migration. An empty result means every checked migration is safe to ship.
 */
export async function compatCheck(
  migrations: readonly LoadedMigration[],
  options: CompatCheckOptions = {},
): Promise<readonly CompatFinding[]> {
  const applied = new Set(options.all === true ? [] : (options.applied ?? []));
  const allIds = new Set(migrations.map((m) => m.id));
  const earlier = new Set<string>();
  const findings: CompatFinding[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'galley-compat-'));
  try {
    for (const m of migrations) {
      if (!applied.has(m.id)) findings.push(...(await checkOne(m, earlier, allIds, dir, options.squawkPath)));
      earlier.add(m.id);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return Object.freeze(findings);
}

async function checkOne(
  m: LoadedMigration,
  earlier: ReadonlySet<string>,
  allIds: ReadonlySet<string>,
  dir: string,
  squawkPath: string | undefined,
): Promise<CompatFinding[]> {
  let statements: readonly string[];
  try {
    statements = await postgresStatements(m);
  } catch (error) {
    // A migration that cannot run without a database cannot be vetted; say so rather than pass it.
    const message = `could not produce its PostgreSQL offline: ${error instanceof Error ? error.message : String(error)}`;
    return [{ migrationId: m.id, rule: 'galley/offline-compile', message, sql: '' }];
  }
  return [
    ...contractFindings(m, statements, earlier, allIds),
    ...(await squawkFindings(m, statements, hasValidContract(m, earlier), dir, squawkPath)),
  ];
}
