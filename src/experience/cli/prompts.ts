/**
 * `galley prompts`: prompt versions and their labels.
 *
 *   galley prompts list [--task <task>]                  versions (newest first) with their labels
 *   galley prompts show <ref>                            one version: params, system and user templates
 *   galley prompts diff <ref> <ref>                      unified diff of system, user and params
 *   galley prompts label <task> <label> <hash> [--reason <text>]   point a label at a version (audited)
 *   galley prompts register [--dir <folder>]             register sources (default GALLEY_PROMPTS_DIR)
 *   galley prompts history <task>                        the task's label moves
 *   galley prompts compare <task> [--candidate <ref>]    shadow parity of the candidate against production
 *   galley prompts promote <task> <ref> [--min-samples n]  production -> ref, only when shadow parity holds
 *
 * A <ref> is a hash, a unique hash prefix of 8+ hex digits, `<task>` (its production label) or `<task>:<label>`.
 * Applies pending migrations first. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Store } from '../../data/store/port.ts';
import { diffPromptVersions } from '../../intelligence/prompts/promptDiff.ts';
import { setPromptLabel } from '../../intelligence/prompts/promptLabeler.ts';
import { labelHistory, listPromptVersions } from '../../intelligence/prompts/promptQueries.ts';
import { registerPromptSources } from '../../intelligence/prompts/promptRegistrar.ts';
import { isTaskName, type TaskName } from '../../intelligence/tasks.ts';
import { formatHistory, formatVersion, formatVersionLine, resolveHash, resolveRef } from './promptsOutput.ts';
import { comparePrompts, promotePrompts } from './promptsShadow.ts';

const USAGE = [
  'usage: galley prompts list [--task <task>]',
  '       galley prompts show <hash|prefix|task[:label]>',
  '       galley prompts diff <ref> <ref>',
  '       galley prompts label <task> <label> <hash> [--reason <text>]',
  '       galley prompts register [--dir <folder>]',
  '       galley prompts history <task>',
  '       galley prompts compare <task> [--candidate <ref>]',
  '       galley prompts promote <task> <ref> [--min-samples <n>]',
].join('\n');

type Out = (line: string) => void;

const OPTIONS = {
  task: { type: 'string' },
  reason: { type: 'string' },
  dir: { type: 'string' },
  candidate: { type: 'string' },
  'min-samples': { type: 'string' },
} as const;
type Values = { readonly [K in keyof typeof OPTIONS]?: string };
const SUBCOMMANDS = ['list', 'show', 'diff', 'label', 'register', 'history', 'compare', 'promote'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
/** How many positionals each subcommand takes. */
const ARITY: Readonly<Record<Sub, number>> = {
  list: 0,
  show: 1,
  diff: 2,
  label: 3,
  register: 0,
  history: 1,
  compare: 1,
  promote: 2,
};

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

function taskArg(value: string | undefined): TaskName {
  if (value === undefined || !isTaskName(value)) throw new UsageError(`unknown task "${value ?? ''}"`);
  return value;
}

function actor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function readCommand(store: Store, sub: Sub, args: readonly string[], values: Values, out: Out): Promise<number> {
  if (sub === 'list') {
    const task = values.task === undefined ? undefined : taskArg(values.task);
    const listed = await listPromptVersions(store, task);
    for (const item of listed) out(formatVersionLine(item));
    out(`${listed.length} version(s)`);
  } else if (sub === 'show') {
    const version = await resolveRef(store, args[0] ?? '');
    const labels = (await listPromptVersions(store, version.task)).find((l) => l.version.hash === version.hash);
    for (const line of formatVersion(version, labels?.labels ?? [])) out(line);
  } else if (sub === 'diff') {
    const [a, b] = await Promise.all([resolveRef(store, args[0] ?? ''), resolveRef(store, args[1] ?? '')]);
    for (const line of diffPromptVersions(a, b)) out(line);
  } else {
    for (const line of formatHistory(await labelHistory(store, taskArg(args[0])))) out(line);
  }
  return 0;
}

async function writeCommand(
  config: Config,
  sub: 'label' | 'register',
  args: readonly string[],
  values: Values,
  out: Out,
): Promise<number> {
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    if (sub === 'register') {
      const dir = values.dir ?? config.promptsDir;
      const results = await registerPromptSources({ store: plane.store, dir, actor: actor(), kv: plane.kv });
      for (const r of results) {
        out(
          `${r.task.padEnd(8)} ${r.hash.slice(0, 12)}  ${r.inserted ? 'new' : 'known'}  ${r.outcome}  (${r.fileName})`,
        );
      }
      out(`registered ${results.length} source(s) from ${dir}`);
      return 0;
    }
    const [task, label, ref] = [taskArg(args[0]), args[1] ?? '', args[2] ?? ''];
    const change = await setPromptLabel({
      store: plane.store,
      task,
      label,
      hash: await resolveHash(plane.store, ref),
      actor: actor(),
      reason: values.reason ?? 'set with galley prompts label',
      kv: plane.kv,
    });
    const from = change.from === null ? '(new)' : change.from.slice(0, 12);
    out(
      change.changed
        ? `${task}:${label} ${from} -> ${change.to.slice(0, 12)}`
        : `${task}:${label} already at ${change.to.slice(0, 12)}`,
    );
    return 0;
  } finally {
    await plane.close();
  }
}

async function shadowCommand(
  config: Config,
  sub: 'compare' | 'promote',
  args: readonly string[],
  values: Values,
  out: Out,
): Promise<number> {
  const task = taskArg(args[0]);
  const minSamples = values['min-samples'] === undefined ? undefined : Number(values['min-samples']);
  if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1)) {
    throw new UsageError('--min-samples is a whole number ≥ 1');
  }
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    if (sub === 'compare') return await comparePrompts(plane, task, values.candidate, out);
    return await promotePrompts(plane, task, args[1] ?? '', minSamples, actor(), out);
  } finally {
    await plane.close();
  }
}

/** Runs `galley prompts`; resolves with the process exit code. */
export async function runPrompts(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [name, ...rest] = args;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    out(`galley prompts: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  const sub = SUBCOMMANDS.find((s) => s === name);
  if (sub === undefined || positionals.length !== ARITY[sub]) {
    out(USAGE);
    return 2;
  }
  try {
    if (sub === 'label' || sub === 'register') return await writeCommand(config, sub, positionals, values, out);
    if (sub === 'compare' || sub === 'promote') return await shadowCommand(config, sub, positionals, values, out);
    const store = openConfiguredStore(config, 2);
    try {
      await migrateToLatest(store);
      return await readCommand(store, sub, positionals, values, out);
    } finally {
      await store.close();
    }
  } catch (error) {
    // GalleyError (not found, ambiguous prefix, bad label) and PromptSourceError carry messages meant for people.
    out(`galley prompts ${sub}: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof UsageError)) return 1;
    out(USAGE);
    return 2;
  }
}
