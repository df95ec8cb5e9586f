/**
 * Reading a folder of prompt sources (`prompts/` by default, GALLEY_PROMPTS_DIR): every `.md`, `.yaml` and `.yml`
 * file must be a valid source named for its task, and no task may have two files. Other files are ignored.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type PromptSource, PromptSourceError, parsePromptSource } from './promptSource.ts';

const SOURCE_FILE = /\.(md|ya?ml)$/i;

/** Parses every source in `dir`, sorted by file name; throws PromptSourceError naming the first bad file. */
export async function readPromptSources(dir: string): Promise<readonly PromptSource[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const sources: PromptSource[] = [];
  for (const name of names) {
    const fileName = path.join(dir, name);
    const source = parsePromptSource(fileName, await readFile(fileName, 'utf8'));
    const twin = sources.find((s) => s.task === source.task);
    if (twin !== undefined) {
      throw new PromptSourceError(fileName, [`task "${source.task}" already has a source (${twin.fileName})`]);
    }
    sources.push(source);
  }
  return Object.freeze(sources);
}
