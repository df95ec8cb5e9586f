/**
 * Prompt sources: the files under `prompts/` (one per task) and their canonical, hashed form.
 *
 * `prompts/<task>.md` is YAML front matter (`task`, `description`, `params: { temperature, maxOutputTokens,
 * local }`) followed by a markdown body with exactly two sections, `## system` and `## user`.
 * `prompts/<task>.yaml` holds the same fields with `system` and `user` as strings. The output schema is the task's
 * `TASK_OUTPUT_SCHEMAS` entry. A version's identity is the sha256 of `canonicalPrompt` — task, templates, params
 * and output schema — so reformatting the front matter or trailing whitespace keeps the hash, any change to what
 * a model would receive does not. The description is metadata and not hashed.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ModelParams } from '../providers/port.ts';
import { isTaskName, TASK_OUTPUT_SCHEMAS, TASK_POLICIES, type TaskName } from '../tasks.ts';
import { canonicalJson } from './canonicalJson.ts';
import { checkTemplate } from './templates.ts';

/** A prompt source file, parsed and checked. */
export interface PromptSource {
  /** The file it came from (for messages). */
  readonly fileName: string;
  readonly task: TaskName;
  readonly description: string;
  /** Normalized system template. */
  readonly system: string;
  /** Normalized user template. */
  readonly user: string;
  readonly params: ModelParams;
  /** The task's output schema as plain JSON schema. */
  readonly outputSchema: unknown;
}

/** A prompt source that cannot be used; the message starts with the file name. */
export class PromptSourceError extends Error {
  readonly fileName: string;
  constructor(fileName: string, problems: readonly string[]) {
    super(`${fileName}: ${problems.join('; ')}`);
    this.name = 'PromptSourceError';
    this.fileName = fileName;
  }
}

/** Largest `maxOutputTokens` a prompt may ask for. */
export const MAX_PROMPT_OUTPUT_TOKENS = 8192;

const TOP_FIELDS = new Set(['task', 'description', 'params', 'system', 'user']);
const PARAM_FIELDS = new Set(['temperature', 'maxOutputTokens', 'local']);

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readYaml(fileName: string, text: string, what: string): Fields {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new PromptSourceError(fileName, [`${what} is not valid YAML (${(error as Error).message})`]);
  }
  if (!isRecord(value)) throw new PromptSourceError(fileName, [`${what} must be a YAML mapping`]);
  return value;
}

/** Splits `---\n…\n---\n` front matter from a markdown source and cuts the body into its two sections. */
function readMarkdown(fileName: string, text: string): Fields {
  const normalized = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const match = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)([\s\S]*)$/.exec(normalized);
  if (match === null) throw new PromptSourceError(fileName, ['must start with YAML front matter between "---" lines']);
  const front = readYaml(fileName, match[1] ?? '', 'the front matter');
  for (const key of ['system', 'user']) {
    if (key in front)
      throw new PromptSourceError(fileName, [`"${key}" belongs in a "## ${key}" section, not the front matter`]);
  }
  const sections: Record<string, string> = {};
  const parts = (match[2] ?? '').split(/^##[ \t]+(.*?)[ \t]*$/m);
  if ((parts[0] ?? '').trim() !== '') {
    throw new PromptSourceError(fileName, ['text before the first "## system" or "## user" heading']);
  }
  for (let i = 1; i < parts.length; i += 2) {
    const name = (parts[i] ?? '').toLowerCase();
    if (name !== 'system' && name !== 'user') {
      throw new PromptSourceError(fileName, [`unknown section "## ${parts[i]}" (expected "## system" and "## user")`]);
    }
    if (name in sections) throw new PromptSourceError(fileName, [`section "## ${name}" appears twice`]);
    sections[name] = parts[i + 1] ?? '';
  }
  return { ...front, ...sections };
}

function checkParams(task: TaskName, raw: unknown, problems: string[]): ModelParams {
  if (raw === undefined) return { maxOutputTokens: TASK_POLICIES[task].maxOutputTokens };
  if (!isRecord(raw)) {
    problems.push('"params" must be a mapping');
    return { maxOutputTokens: TASK_POLICIES[task].maxOutputTokens };
  }
  for (const key of Object.keys(raw)) if (!PARAM_FIELDS.has(key)) problems.push(`unknown param "${key}"`);
  const { temperature, maxOutputTokens = TASK_POLICIES[task].maxOutputTokens, local } = raw;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    problems.push('"params.temperature" must be a number from 0 to 2');
  }
  const tokensOk = Number.isInteger(maxOutputTokens) && Number(maxOutputTokens) >= 1;
  if (!tokensOk || Number(maxOutputTokens) > MAX_PROMPT_OUTPUT_TOKENS) {
    problems.push(`"params.maxOutputTokens" must be an integer from 1 to ${MAX_PROMPT_OUTPUT_TOKENS}`);
  }
  const knobs: Record<string, string | number | boolean> = {};
  if (local !== undefined && !isRecord(local)) problems.push('"params.local" must be a mapping');
  for (const [key, value] of Object.entries(isRecord(local) ? local : {})) {
    const scalar = typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);
    if (scalar) knobs[key] = value as string | number | boolean;
    else problems.push(`"params.local.${key}" must be a string, number or boolean`);
  }
  return Object.freeze({
    ...(typeof temperature === 'number' ? { temperature } : {}),
    maxOutputTokens: Number(maxOutputTokens),
    ...(local === undefined ? {} : { local: Object.freeze(knobs) }),
  });
}

function checkTask(fileName: string, fields: Fields): TaskName {
  const task = fields.task;
  if (typeof task !== 'string' || !isTaskName(task)) {
    throw new PromptSourceError(fileName, [`unknown task ${JSON.stringify(task)} (expected one of the task names)`]);
  }
  const stem = path.basename(fileName).replace(/\.(md|ya?ml)$/i, '');
  if (stem !== task) throw new PromptSourceError(fileName, [`declares task "${task}" but is named for "${stem}"`]);
  return task;
}

/** Parses and checks one source; throws PromptSourceError naming `fileName` and every problem found. */
export function parsePromptSource(fileName: string, text: string): PromptSource {
  const extension = path.extname(fileName).toLowerCase();
  if (extension !== '.md' && extension !== '.yaml' && extension !== '.yml') {
    throw new PromptSourceError(fileName, ['prompt sources are .md or .yaml files']);
  }
  const fields = extension === '.md' ? readMarkdown(fileName, text) : readYaml(fileName, text, 'the file');
  const problems: string[] = [];
  for (const key of Object.keys(fields)) if (!TOP_FIELDS.has(key)) problems.push(`unknown field "${key}"`);
  const task = checkTask(fileName, fields);
  const description = typeof fields.description === 'string' ? fields.description.trim() : '';
  if (description === '') problems.push('"description" is required');
  const params = checkParams(task, fields.params, problems);
  const templates = (['system', 'user'] as const).map((section) => {
    const raw = fields[section];
    if (typeof raw !== 'string') {
      problems.push(`the ${section} template is missing`);
      return '';
    }
    const checked = checkTemplate(section, raw, task);
    problems.push(...checked.problems);
    return checked.template;
  });
  if (problems.length > 0) throw new PromptSourceError(fileName, problems);
  return Object.freeze({
    fileName,
    task,
    description,
    system: templates[0] ?? '',
    user: templates[1] ?? '',
    params,
    outputSchema: JSON.parse(canonicalJson(TASK_OUTPUT_SCHEMAS[task])) as unknown,
  });
}

/** What a version's hash covers. */
export type CanonicalParts = Pick<PromptSource, 'task' | 'system' | 'user' | 'params' | 'outputSchema'>;

/** The canonical JSON of a prompt: sorted keys, LF newlines, trimmed sections, no description or file name. */
export function canonicalPrompt(source: CanonicalParts): string {
  return canonicalJson({
    task: source.task,
    system: checkTemplate('system', source.system, source.task).template,
    user: checkTemplate('user', source.user, source.task).template,
    params: source.params,
    outputSchema: source.outputSchema,
  });
}

/** sha256 hex of the canonical JSON: the version's identity. */
export function promptHash(source: CanonicalParts): string {
  return createHash('sha256').update(canonicalPrompt(source)).digest('hex');
}
