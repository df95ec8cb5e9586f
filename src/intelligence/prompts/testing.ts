/** Test helpers for prompt sources: folders of real source files in a temp directory. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskName } from '../tasks.ts';

/** The repository's prompt folder. */
export const REPO_PROMPTS_DIR = path.resolve(import.meta.dirname, '../../../prompts');

/** The degraded summary fixture's folder (the eval gate must reject it). */
export const DEGRADED_PROMPTS_DIR = path.resolve(import.meta.dirname, '../../../test/fixtures/prompts/degraded');

/** The text of the repository's source for `task`. */
export function repoPromptText(task: TaskName): string {
  return readFileSync(path.join(REPO_PROMPTS_DIR, `${task}.md`), 'utf8');
}

/** A temp folder of source files. */
export interface PromptDir {
  readonly dir: string;
  /** Writes (or replaces) one file. */
  write(name: string, text: string): void;
  cleanup(): void;
}

/** A temp folder holding `files` (name → text). */
export function makePromptDir(files: Readonly<Record<string, string>> = {}): PromptDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-prompts-'));
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal valid markdown source for `task`; `user` defaults to an `<entry>` block with title and body. */
export function promptText(
  task: TaskName,
  parts: { readonly system?: string; readonly user?: string; readonly frontMatter?: string } = {},
): string {
  const user =
    parts.user ??
    `<entry>\n<title>{{title}}</title>\n<body>\n{{body}}\n</body>\n</entry>${task === 'related' ? '\n<context>\n{{context}}\n</context>' : ''}`;
  const front =
    parts.frontMatter ?? `task: ${task}\ndescription: test prompt for ${task}\nparams:\n  temperature: 0.2\n`;
  return `---\n${front}---\n\n## system\n\n${parts.system ?? `Do the ${task} task. Reply with JSON only.`}\n\n## user\n\n${user}\n`;
}
