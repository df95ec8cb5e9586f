/**
 * Runs squawk (the `squawk-cli` dev dependency) on one SQL file and returns its findings. The file is linted as
 * one transaction (`--assume-in-transaction`) because the runner wraps every migration in one.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One finding as squawk's JSON reporter prints it (lines and columns are 0-based). */
export interface SquawkIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: string;
  readonly message: string;
  readonly help: string | null;
  readonly rule_name: string;
  readonly line_end: number;
  readonly column_end: number;
}

/**
 * Rules left out for every migration, each with the reason. Everything else squawk reports is a finding.
 * require-lock-timeout and require-statement-timeout stay on: the runner's SET LOCAL statements are part of
 * every captured migration, so they pass for the right reason.
 */
export const SQUAWK_EXCLUDED_RULES: Readonly<Record<string, string>> = Object.freeze({
  'require-concurrent-index-creation':
    'every migration runs inside a transaction, where CREATE INDEX CONCURRENTLY is not allowed; lock_timeout bounds the wait instead',
  'require-concurrent-index-deletion':
    'every migration runs inside a transaction, where DROP INDEX CONCURRENTLY is not allowed; lock_timeout bounds the wait instead',
});

/**
 * Rules also left out for a migration that declares a valid `contractOf`: it is the sanctioned place for these
 * changes, and the Galley expand/contract rule has already checked that its expand step exists and precedes it.
 */
export const SQUAWK_CONTRACT_RULES: Readonly<Record<string, string>> = Object.freeze({
  'ban-drop-column': 'a declared contract step may drop what its expand step replaced',
  'ban-drop-table': 'a declared contract step may drop what its expand step replaced',
  'renaming-column': 'a declared contract step may rename once readers moved over',
  'renaming-table': 'a declared contract step may rename once readers moved over',
  'changing-column-type': 'a declared contract step may retype once readers moved over',
});

/**
 * Path of the native squawk binary that squawk-cli installed for this platform. Asking the package's own
 * launcher for it (rather than running node_modules/.bin/squawk) saves starting a Node process per file.
 */
export function defaultSquawkPath(): string {
  const launcher: unknown = createRequire(import.meta.url)('squawk-cli/js/index.js');
  if (
    typeof launcher === 'object' &&
    launcher !== null &&
    'getBinaryPath' in launcher &&
    typeof launcher.getBinaryPath === 'function'
  ) {
    const binary: unknown = launcher.getBinaryPath();
    if (typeof binary === 'string') return binary;
  }
  throw new Error(
    'squawk-cli did not name its squawk binary (js/index.js getBinaryPath); is the dev dependency installed?',
  );
}

function isIssueList(value: unknown): value is SquawkIssue[] {
  return (
    Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && 'rule_name' in v && 'line' in v)
  );
}

/**
 * Lints `file` with every rule except `exclude`. Resolves with the findings (squawk exits 1 when there are
 * some; that is not a failure here); rejects when squawk itself cannot run or prints something unexpected.
 */
export async function runSquawk(
  file: string,
  exclude: readonly string[],
  squawkPath: string = defaultSquawkPath(),
): Promise<readonly SquawkIssue[]> {
  const args = ['--reporter', 'json', '--assume-in-transaction'];
  if (exclude.length > 0) args.push(`--exclude=${exclude.join(',')}`);
  args.push(file);
  // cwd is the file's folder so no .squawk.toml found elsewhere changes the rule set behind our back.
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
    (resolve) => {
      execFile(squawkPath, args, { cwd: path.dirname(file), maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ stdout: out, stderr: err, code: exitCode });
      });
    },
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    parsed = undefined;
  }
  if ((code === 0 || code === 1) && isIssueList(parsed)) return parsed;
  throw new Error(`squawk failed on ${file} (exit ${String(code)}): ${stderr.trim() || stdout.trim()}`);
}
