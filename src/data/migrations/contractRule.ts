/**
 * Galley's expand/contract rule. During a rolling deploy the previous release keeps running against the new
 * schema, so a migration must not take away what that release reads: dropping or renaming a table or column,
 * or changing a column's type, is allowed only in a *contract* migration that names (`contractOf`) the earlier
 * *expand* migration which introduced the replacement, and ships at least one release later.
 */
import type { CompatFinding } from './compatCheck.ts';
import type { LoadedMigration } from './migration.ts';

/** A schema change that breaks readers of the old shape. */
export type BreakingChange = 'drop table' | 'drop column' | 'rename table' | 'rename column' | 'change column type';

/** Blanks comments, string literals and quoted identifiers so keywords and commas inside them are not read. */
function normalize(text: string): string {
  return text
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([a-z_]*)\$[\s\S]*?\$\1\$/gi, "''")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, 'ident')
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

/** Splits on commas outside parentheses (ALTER TABLE takes a comma-separated list of actions). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const ALTER_TABLE = /^alter table (?:if exists )?(?:only )?\S+ ?\*? ?/;

function classifyAction(action: string): BreakingChange | undefined {
  if (/^drop (?!constraint\b)/.test(action)) return 'drop column';
  if (/^rename to\b/.test(action)) return 'rename table';
  if (/^rename (?!constraint\b)/.test(action)) return 'rename column';
  if (/^alter (?:column )?\S+ (?:set data )?type\b/.test(action)) return 'change column type';
  return undefined;
}

/** The breaking changes one PostgreSQL statement (or `;`-separated batch) makes, in order. */
export function breakingChanges(statement: string): readonly BreakingChange[] {
  const found: BreakingChange[] = [];
  for (const raw of normalize(statement).split(';')) {
    const text = raw.trim();
    if (/^drop table\b/.test(text)) found.push('drop table');
    const prefix = ALTER_TABLE.exec(text);
    if (prefix === null) continue;
    for (const action of topLevelParts(text.slice(prefix[0].length))) {
      const change = classifyAction(action);
      if (change !== undefined) found.push(change);
    }
  }
  return found;
}

/** True when `m` declares `contractOf` naming one of the `earlier` migrations. */
export function hasValidContract(m: LoadedMigration, earlier: ReadonlySet<string>): boolean {
  return m.migration.contractOf !== undefined && earlier.has(m.migration.contractOf);
}

/**
 * Findings of the expand/contract rule for `m`, whose statements are given; `earlier` are the ids of the
 * migrations that precede it, `all` every id in the set.
 */
export function contractFindings(
  m: LoadedMigration,
  statements: readonly string[],
  earlier: ReadonlySet<string>,
  all: ReadonlySet<string>,
): CompatFinding[] {
  const findings: CompatFinding[] = [];
  const contractOf = m.migration.contractOf;
  const validContract = hasValidContract(m, earlier);
  if (contractOf !== undefined && !validContract) {
    const why = all.has(contractOf) ? 'does not precede it' : 'does not exist';
    findings.push({
      migrationId: m.id,
      rule: 'galley/contract-of',
      message: `contractOf names "${contractOf}", which ${why}; it must name the earlier expand migration`,
      sql: '',
    });
  }
  if (validContract) return findings;
  for (const sql of statements) {
    for (const change of breakingChanges(sql)) {
      findings.push({
        migrationId: m.id,
        rule: 'galley/expand-contract',
        message: `${change} breaks the release still running during a deploy; introduce the replacement in an expand migration, then do this in a later migration that declares contractOf: '<expand migration id>'`,
        sql,
      });
    }
  }
  return findings;
}
