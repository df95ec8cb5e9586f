/**
 * FOR TESTS ONLY. The default answers of the test model server (modelServer.ts): a plausible, schema-valid JSON
 * output per Galley task, derived from the prompt's user message so different entries get different outputs.
 * Deterministic: the same prompt always gets the same answer.
 */
import type { TaskName } from '../../src/intelligence/tasks.ts';

const STOPWORDS = new Set(
  'about above after again also because been before being below between both could does doing down during each from further have having here into itself just more most other over same should some such than that their them then there these they this those through under until very were what when where which while with would your'.split(
    ' ',
  ),
);

/** The entry text inside the user message: the `<entry>` block when the template has one, else the whole message. */
export function sourceText(user: string): string {
  const block = /<entry>([\s\S]*?)<\/entry>/i.exec(user);
  return (block?.[1] ?? user)
    .replace(/<\/?[a-z][^>]*>/gi, ' ')
    .replace(/^#+\s*/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `text` cut to at most `max` characters at a word boundary. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max / 2 ? cut.slice(0, space) : cut).trim();
}

/** The first sentence of `text` (never empty). */
export function firstSentence(text: string, max: number): string {
  const sentence = text.split(/(?<=[.!?])\s+/)[0]?.trim() ?? '';
  return clip(sentence === '' ? 'Untitled entry.' : sentence, max);
}

function topWords(text: string, count: number): string[] {
  const freq = new Map<string, number>();
  for (const word of text.toLowerCase().match(/\p{L}{4,}/gu) ?? []) {
    if (!STOPWORDS.has(word)) freq.set(word, (freq.get(word) ?? 0) + 1);
  }
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([word]) => clip(word, 40));
}

const PII_PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'email', pattern: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g },
  { kind: 'phone', pattern: /\+?\d[\d ()-]{7,}\d/g },
];

function pii(text: string): {
  findings: { kind: string; text: string; start: number; end: number }[];
  redacted: string;
} {
  const findings = PII_PATTERNS.flatMap(({ kind, pattern }) =>
    [...text.matchAll(pattern)].map((m) => ({ kind, text: m[0], start: m.index, end: m.index + m[0].length })),
  ).sort((a, b) => a.start - b.start);
  let redacted = '';
  let at = 0;
  for (const f of findings) {
    if (f.start < at) continue;
    redacted += `${text.slice(at, f.start)}[${f.kind.toUpperCase()}]`;
    at = f.end;
  }
  return { findings, redacted: redacted + text.slice(at) };
}

/** Candidates listed in the prompt as `1. [entryId] Title — snippet`, ranked in the order given. */
function related(user: string): { entryId: string; title: string; score: number }[] {
  return [...user.matchAll(/^\s*\d+\.\s*\[([^\]\n]+)\]\s*(.*?)\s+—\s/gm)]
    .slice(0, 10)
    .map((m, i) => ({ entryId: m[1] ?? '', title: m[2] ?? '', score: Math.round((1 - i * 0.1) * 100) / 100 }));
}

/** The default output of `task` for a prompt whose user message is `user`. */
export function defaultOutput(task: TaskName | undefined, user: string): unknown {
  const text = sourceText(user);
  switch (task) {
    case 'titles':
      return { titles: [firstSentence(text, 140).replace(/[.!?]$/, '') || 'Untitled entry'] };
    case 'tags':
      return { tags: topWords(text, 5) };
    case 'seo':
      return { description: firstSentence(text, 160) };
    case 'pii':
      return pii(text);
    case 'related':
      return { related: related(user) };
    default:
      return { summary: firstSentence(text, 1200) };
  }
}
