/**
 * Prompt template rules: the placeholders a template may use, where each may appear, and the whitespace
 * normalization that keeps a version's hash independent of editor noise.
 */
import { TASK_POLICIES, type TaskName } from '../tasks.ts';

/** Every placeholder a template may use. */
export const PLACEHOLDERS = Object.freeze(['title', 'body', 'tags', 'locale', 'context'] as const);

/** One placeholder name. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * Placeholders that carry entry content (untrusted). They may appear only in the user message: the system message
 * is where instructions live, and no author text belongs there.
 */
export const CONTENT_PLACEHOLDERS: ReadonlySet<Placeholder> = new Set(['title', 'body', 'tags', 'context']);

/** `{{ name }}` with optional inner spaces. */
const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * The canonical form of template text: LF newlines, no trailing spaces on any line, no leading or trailing blank
 * lines. Whitespace-only edits therefore never change a version's hash; anything else does.
 */
export function normalizeTemplateText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .trim();
}

/** The placeholders a template uses, in order of first use. */
export function placeholdersOf(template: string): readonly string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Checks one section and returns it normalized (placeholders written `{{name}}`). Returns the list of problems
 * instead of throwing so the caller can name the file once.
 */
export function checkTemplate(
  section: 'system' | 'user',
  text: string,
  task: TaskName,
): { readonly template: string; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const template = normalizeTemplateText(text).replace(PLACEHOLDER_PATTERN, (_whole, name: string) => `{{${name}}}`);
  if (template === '') problems.push(`the ${section} section is empty`);
  const used = placeholdersOf(template);
  for (const name of used) {
    if (!isPlaceholder(name)) {
      problems.push(`unknown placeholder {{${name}}} in ${section} (allowed: ${PLACEHOLDERS.join(', ')})`);
    } else if (section === 'system' && CONTENT_PLACEHOLDERS.has(name)) {
      problems.push(`{{${name}}} carries entry content and may appear only in the user section`);
    }
  }
  const leftover = template.replace(PLACEHOLDER_PATTERN, '');
  if (leftover.includes('{{') || leftover.includes('}}')) problems.push(`unbalanced "{{" or "}}" in ${section}`);
  if (section === 'user') {
    if (!used.includes('body')) problems.push('the user section must include {{body}}');
    if (TASK_POLICIES[task].needsRetrieval && !used.includes('context')) {
      problems.push(`task "${task}" needs retrieved entries: the user section must include {{context}}`);
    }
  }
  return { template, problems };
}
