/**
 * Frozen fixtures: `evals/MANIFEST.sha256` records the sha256 of each task's case file, in `sha256sum` format
 * (`<hex>  <task>/cases.jsonl`, so `sha256sum -c` checks it too). The loader refuses a case file whose hash
 * differs, so a golden set never changes silently; `galley eval --update-manifest` rewrites the manifest
 * deliberately, and the change shows up in review next to the edited cases.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TASK_NAMES } from '../tasks.ts';

/** The manifest's file name inside the evals folder. */
export const MANIFEST_FILE = 'MANIFEST.sha256';

/** Path of a task's case file relative to the evals folder. */
export function caseFileOf(task: string): string {
  return `${task}/cases.jsonl`;
}

/** sha256 (hex) of bytes. */
export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The recorded hashes, by relative path; empty when there is no manifest. */
export function readManifest(evalsDir: string): ReadonlyMap<string, string> {
  const file = path.join(evalsDir, MANIFEST_FILE);
  if (!existsSync(file)) return new Map();
  const entries = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[2], match[1]);
  }
  return entries;
}

/** Rewrites the manifest from the case files present; resolves with the lines written. */
export function writeManifest(evalsDir: string): string[] {
  const lines = TASK_NAMES.map(caseFileOf)
    .filter((file) => existsSync(path.join(evalsDir, file)))
    .map((file) => `${sha256(readFileSync(path.join(evalsDir, file)))}  ${file}`);
  writeFileSync(path.join(evalsDir, MANIFEST_FILE), `${lines.join('\n')}\n`);
  return lines;
}
