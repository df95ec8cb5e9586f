/** Text output of `galley prompts` and resolution of the version references it accepts. */
import type { Store } from '../../data/store/port.ts';
import {
  findHashesByPrefix,
  getPromptVersion,
  type LabelEvent,
  type ListedPromptVersion,
  resolvePromptLabel,
} from '../../intelligence/prompts/promptQueries.ts';
import type { PromptVersion } from '../../intelligence/prompts/promptVersion.ts';
import { isTaskName } from '../../intelligence/tasks.ts';
import { GalleyError } from '../errors/errors.ts';

/** The full hash a hash or unique prefix (8+ hex digits) names; GALLEY_NOT_FOUND / GALLEY_CONFLICT otherwise. */
export async function resolveHash(store: Store, ref: string): Promise<string> {
  const hashes = await findHashesByPrefix(store, ref.toLowerCase());
  const [first, second] = hashes;
  if (first === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `no prompt version matches "${ref}"`);
  if (second !== undefined) {
    throw new GalleyError('GALLEY_CONFLICT', `"${ref}" is ambiguous: ${hashes.map((h) => h.slice(0, 16)).join(', ')}`);
  }
  return first;
}

/** The version a reference names: `task`, `task:label`, a hash or a unique hash prefix. */
export async function resolveRef(store: Store, ref: string): Promise<PromptVersion> {
  const [task, label = 'production', extra] = ref.split(':');
  if (task !== undefined && isTaskName(task) && extra === undefined) return resolvePromptLabel(store, task, label);
  return getPromptVersion(store, await resolveHash(store, ref));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One line of `list`. */
export function formatVersionLine({ version, labels }: ListedPromptVersion): string {
  const tags = labels.length === 0 ? '-' : labels.join(',');
  return `${version.task.padEnd(8)} ${version.hash.slice(0, 12)}  ${iso(version.createdAt)}  ${tags.padEnd(20)} ${version.description}`;
}

/** The lines of `show`. */
export function formatVersion(version: PromptVersion, labels: readonly string[]): readonly string[] {
  return [
    `hash         ${version.hash}`,
    `task         ${version.task}`,
    `labels       ${labels.length === 0 ? '-' : labels.join(', ')}`,
    `created      ${iso(version.createdAt)}`,
    `description  ${version.description}`,
    `params       ${JSON.stringify(version.params)}`,
    '== system',
    version.system,
    '== user',
    version.user,
  ];
}

/** The lines of `history`, oldest first. */
export function formatHistory(events: readonly LabelEvent[]): readonly string[] {
  if (events.length === 0) return ['(no label moves)'];
  return events.map((e) => {
    const from = e.fromHash === null ? '(new)' : e.fromHash.slice(0, 12);
    return `${iso(e.at)}  ${e.label.padEnd(12)} ${from} -> ${e.toHash.slice(0, 12)}  by ${e.actor}  ${e.reason}`;
  });
}
