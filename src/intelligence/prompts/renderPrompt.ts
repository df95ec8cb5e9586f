/**
 * Renders a prompt version for one input: the system and user messages a remote model receives.
 *
 * Entry content is untrusted. Templates wrap it in tags (`<entry>…</entry>`, `<context>…</context>`) and tell the
 * model to treat what is inside as data; rendering makes sure the content cannot fake those tags. Every tag-like
 * sequence in the content — `<` (or a look-alike such as `＜`, `‹`, `〈`), optional `/`, then a letter, with any
 * invisible characters in between — has its bracket written as `&lt;`, so `</entry>` inside a body arrives as
 * `&lt;/entry>` and cannot close the block. Placeholders are filled in one pass over the template, so content
 * that contains `{{body}}` is never expanded again.
 */
import type { ModelMessage } from '../providers/port.ts';
import type { RetrievedDoc, TaskInput } from '../tasks.ts';
import type { PromptVersion } from './promptVersion.ts';
import type { Placeholder } from './templates.ts';

const INVISIBLE =
  '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF';
const OPENERS = '<\\uFF1C\\uFE64\\u2039\\u2329\\u3008\\u27E8\\u276C\\u276E\\u02C2';
const SLASHES = '/\\uFF0F\\u2044\\u2215\\u29F8';
/** A bracket (or look-alike), then spaces/invisibles, an optional slash, more of the same, then a letter. */
const TAG_OPENER = new RegExp(`[${OPENERS}](?=[\\s${INVISIBLE}]*[${SLASHES}!?]?[\\s${INVISIBLE}]*\\p{L})`, 'gu');

/** Text safe to place inside a delimited block: no tag-like sequence survives. */
export function escapeDelimiters(text: string): string {
  return text.replace(TAG_OPENER, '&lt;');
}

function oneLine(text: string): string {
  return escapeDelimiters(text.replace(/\s+/g, ' ').trim());
}

const LOCALE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$/;

/** The value of `{{locale}}`: a BCP 47 tag, or an instruction to follow the entry's own language. */
function localeText(locale: string | undefined): string {
  if (locale !== undefined && LOCALE.test(locale)) return locale;
  return 'not given: use the language the entry is written in';
}

function contextText(context: readonly RetrievedDoc[] | undefined): string {
  if (context === undefined || context.length === 0) return '(no candidates)';
  return context
    .map((doc, i) => `${i + 1}. [${oneLine(doc.entryId)}] ${oneLine(doc.title)} — ${oneLine(doc.snippet)}`)
    .join('\n');
}

/** The text each placeholder stands for, for one input. */
export function placeholderValues(input: TaskInput): Readonly<Record<Placeholder, string>> {
  const title = oneLine(input.title);
  const body = escapeDelimiters(input.body.replace(/\r\n?/g, '\n').trim());
  const tags = input.tags.map(oneLine).filter((tag) => tag !== '');
  return {
    title: title === '' ? '(untitled)' : title,
    body: body === '' ? '(empty)' : body,
    tags: tags.length === 0 ? '(none)' : tags.join(', '),
    locale: localeText(input.locale),
    context: contextText(input.context),
  };
}

function fill(template: string, values: Readonly<Record<Placeholder, string>>): string {
  // A replacer function: content is inserted verbatim (`$&` and friends mean nothing) and never rescanned.
  return template.replace(/\{\{(title|body|tags|locale|context)\}\}/g, (_whole, name: Placeholder) => values[name]);
}

/** The messages for `input` under `version`: the system message, then the user message. */
export function renderPrompt(version: PromptVersion, input: TaskInput): readonly ModelMessage[] {
  const values = placeholderValues(input);
  return Object.freeze([
    Object.freeze({ role: 'system' as const, content: fill(version.system, values) }),
    Object.freeze({ role: 'user' as const, content: fill(version.user, values) }),
  ]);
}
