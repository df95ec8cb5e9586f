/**
 * Hidden carriers in CMS content: places a reader of the rendered page does not see but a model reading the
 * source does — HTML comments, image alt text, link and image titles, front matter, hidden elements, HTML
 * attributes, reference-link titles, zero-width-laden runs. Indirect prompt injection lives there, so the
 * detector scores their text on its own too, and `stripInjection` removes them by span.
 */

/** One carrier: its kind, its span in the original text and the text a model would read in it. */
export interface Carrier {
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  /** The span of `text` inside the original (a strip removes only this for alt text, titles, attributes). */
  readonly innerStart: number;
  readonly innerEnd: number;
  readonly text: string;
}

const CARRIERS: readonly { readonly kind: string; readonly re: RegExp; readonly group: number }[] = [
  { kind: 'html-comment', re: /<!--([\s\S]*?)(?:-->|$)/g, group: 1 },
  { kind: 'front-matter', re: /^(?:\uFEFF)?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/g, group: 1 },
  { kind: 'image-alt', re: /!\[([^\]]{3,})\]\([^)]*\)/g, group: 1 },
  { kind: 'link-title', re: /\]\(\s*<?[^\s)>]*>?\s+["'(]([^"')]{3,})["')]\s*\)/g, group: 1 },
  { kind: 'reference-title', re: /^\s*\[[^\]]+\]:\s*\S+\s+["'(]([^"')\n]{3,})["')]\s*$/gm, group: 1 },
  {
    kind: 'html-attribute',
    re: /\s(?:alt|title|aria-label|aria-description|data-[a-z-]+|content|placeholder|summary)\s*=\s*(?:"([^"]{3,})"|'([^']{3,})')/gi,
    group: 1,
  },
  {
    kind: 'hidden-element',
    re: /<([a-z][a-z0-9]*)\b[^>]*(?:\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0(?:\.0+)?\s*[;"']|color\s*:\s*(?:#fff(?:fff)?|white|transparent)|height\s*:\s*0|width\s*:\s*0)[^>]*>([\s\S]*?)<\/\1>/gi,
    group: 2,
  },
];

const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF]/;
const ZERO_WIDTH_ALL = /[\u200B-\u200F\u2060-\u2064\uFEFF]/g;

/** Every carrier found in `text`, in order of appearance (they may nest or overlap). */
export function findCarriers(text: string): readonly Carrier[] {
  const out: Carrier[] = [];
  for (const { kind, re, group } of CARRIERS) {
    if (kind === 'html-comment' && !text.includes('<!--')) continue;
    if (kind === 'front-matter' && !text.startsWith('---') && !text.startsWith('\uFEFF---')) continue;
    if ((kind === 'html-attribute' || kind === 'hidden-element') && !text.includes('<')) continue;
    if ((kind === 'image-alt' || kind === 'link-title' || kind === 'reference-title') && !text.includes(']')) continue;
    for (const m of text.matchAll(re)) {
      const inner = m[group] ?? (kind === 'html-attribute' ? m[2] : undefined);
      if (inner === undefined || inner.trim().length < 3) continue;
      const innerStart = m.index + Math.max(0, m[0].indexOf(inner));
      out.push({
        kind,
        start: m.index,
        end: m.index + m[0].length,
        innerStart,
        innerEnd: innerStart + inner.length,
        text: inner,
      });
    }
  }
  if (ZERO_WIDTH.test(text)) out.push(...zeroWidthRuns(text));
  return out.sort((a, b) => a.start - b.start);
}

/** Sentences (or lines) carrying three or more zero-width characters: text laced to dodge filters. */
function zeroWidthRuns(text: string): Carrier[] {
  const out: Carrier[] = [];
  for (const m of text.matchAll(/[^\n.!?]+/g)) {
    const count = m[0].match(ZERO_WIDTH_ALL)?.length ?? 0;
    if (count < 3) continue;
    const end = m.index + m[0].length;
    out.push({ kind: 'zero-width-run', start: m.index, end, innerStart: m.index, innerEnd: end, text: m[0] });
  }
  return out;
}
