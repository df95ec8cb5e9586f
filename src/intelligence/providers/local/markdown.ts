/**
 * Markdown (CommonMark plus the usual extensions and stray HTML) to plain text, as blocks. The local model reads
 * entries as a reader would: headings, paragraphs, list items, quotes and table rows become separate blocks;
 * links and images become their text; code, front matter, comments and tags disappear. It is a forgiving reader,
 * not a renderer: malformed markup degrades to text, never to an error.
 */

/** What a block was in the source; tasks weigh them differently (a heading is a poor summary sentence). */
export type BlockKind = 'heading' | 'paragraph' | 'item' | 'quote' | 'table';

/** One block of plain text (a single line: inner line breaks are collapsed). */
export interface Block {
  readonly kind: BlockKind;
  readonly text: string;
}

const FRONT_MATTER =
  /^\uFEFF?(?:---[ \t]*\n[\s\S]*?\n(?:---|\.\.\.)[ \t]*(?:\n|$)|\+\+\+[ \t]*\n[\s\S]*?\n\+\+\+[ \t]*(?:\n|$))/;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const RAW_HTML = /<(script|style|iframe|noscript)\b[\s\S]*?(?:<\/\1\s*>|$)/gi;
const BLOCK_TAG =
  /<\/?(?:p|div|h[1-6]|li|ul|ol|blockquote|br|hr|tr|table|thead|tbody|section|article|header|footer|figure|figcaption|pre)\b[^<>]*>/gi;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(?:=+|-+)[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const REF_DEF = /^ {0,3}\[[^\]]+\]:[ \t]*\S+/;
const QUOTE = /^ {0,3}>[ \t]?/;
const ITEM = /^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;
const TABLE_RULE = /^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$/;

/** Line-by-line reader state. */
class BlockReader {
  readonly blocks: Block[] = [];
  private kind: BlockKind = 'paragraph';
  private lines: string[] = [];
  private fence: string | undefined;
  private inTable = false;

  /** Ends the open block, optionally re-labelled (a setext underline turns a paragraph into a heading). */
  private flush(kind?: BlockKind): void {
    const text = inlineToText(this.lines.join('\n'));
    if (text.length > 0) this.blocks.push({ kind: kind ?? this.kind, text });
    this.lines = [];
  }

  private add(kind: BlockKind, line: string): void {
    if (this.lines.length > 0 && this.kind !== kind) this.flush();
    this.kind = kind;
    this.lines.push(line);
  }

  /** Reads one source line. */
  line(raw: string): void {
    if (this.fence !== undefined) {
      const trimmed = raw.trim();
      if (trimmed.startsWith(this.fence) && trimmed.replace(/[`~]/g, '') === '') this.fence = undefined;
      return;
    }
    const fenceOpen = FENCE.exec(raw);
    if (fenceOpen?.[1] !== undefined) {
      this.flush();
      this.inTable = false;
      this.fence = fenceOpen[1];
      return;
    }
    if (raw.trim() === '') {
      this.inTable = false;
      this.flush();
      return;
    }
    if (this.tableLine(raw)) return;
    this.textLine(raw);
  }

  /** Table rows become one block each; the header/body rule line is dropped. */
  private tableLine(raw: string): boolean {
    if (TABLE_RULE.test(raw) && raw.includes('-') && raw.includes('|')) {
      const header = this.lines.length === 1 && this.kind === 'paragraph' ? this.lines[0] : undefined;
      if (header?.includes('|') === true) {
        this.lines = [];
        this.row(header);
      }
      this.inTable = true;
      return true;
    }
    const piped = raw.trim().startsWith('|') && raw.indexOf('|', raw.indexOf('|') + 1) > 0;
    if (!this.inTable && !piped) return false;
    this.flush();
    this.inTable = true;
    this.row(raw);
    return true;
  }

  private row(raw: string): void {
    const cells = raw
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim())
      .filter((c) => c.length > 0);
    this.add('table', cells.join('; '));
    this.flush();
  }

  private textLine(raw: string): void {
    if (this.lines.length > 0 && this.kind === 'paragraph' && SETEXT.test(raw)) {
      this.flush('heading');
      return;
    }
    if (RULE.test(raw) || REF_DEF.test(raw)) {
      this.flush();
      return;
    }
    const atx = ATX.exec(raw);
    if (atx !== null) {
      this.flush();
      this.add('heading', atx[2] ?? '');
      this.flush();
      return;
    }
    if (QUOTE.test(raw)) {
      this.quoteLine(raw);
      return;
    }
    const item = ITEM.exec(raw);
    if (item !== null) {
      this.flush();
      this.add('item', item[1] ?? '');
      return;
    }
    // A lazy continuation line belongs to the open item or paragraph; after a quote it starts a new paragraph.
    this.add(this.lines.length > 0 && this.kind !== 'quote' ? this.kind : 'paragraph', raw);
  }

  private quoteLine(raw: string): void {
    let line = raw;
    while (QUOTE.test(line)) line = line.replace(QUOTE, '');
    const inner = line.replace(/^ {0,3}#{1,6}[ \t]+/, '');
    if (inner.trim() === '') {
      this.flush();
      return;
    }
    const item = ITEM.exec(inner);
    if (item !== null) this.flush();
    this.add('quote', item?.[1] ?? inner);
  }

  /** Ends the document. */
  end(): Block[] {
    this.flush();
    return this.blocks;
  }
}

/** Converts `markdown` to blocks of plain text, in source order, dropping blocks that end up empty. */
export function markdownToBlocks(markdown: string): Block[] {
  const source = markdown
    .replace(/\r\n?/g, '\n')
    .replace(FRONT_MATTER, '')
    .replace(HTML_COMMENT, '')
    .replace(RAW_HTML, '')
    .replace(BLOCK_TAG, '\n\n');
  const reader = new BlockReader();
  for (const raw of source.split('\n')) reader.line(raw);
  return reader.end();
}

const ESCAPABLE = /\\([\\`*_{}[\]()#+\-.!|>~<"'&$%^=:;,?@/])/g;
const PRIVATE_BASE = 0xe000;
const ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  euro: '€',
  pound: '£',
  copy: '©',
  reg: '®',
  shy: '',
});

/** Inline markdown of one block to plain text on one line. Each pass runs only when its marker is present. */
export function inlineToText(markdown: string): string {
  let text = markdown;
  const has = (ch: string) => text.includes(ch);
  if (has('`')) text = text.replace(/(`+)[\s\S]*?\1/g, ' \uE0FF ');
  if (has('\\'))
    text = text.replace(ESCAPABLE, (_, ch: string) => String.fromCharCode(PRIVATE_BASE + ch.charCodeAt(0)));
  if (has('[')) {
    text = text
      .replace(/!\[([^\]]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])/g, '$1')
      .replace(/\[([^\]]+)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])/g, '$1');
  }
  if (has('<')) {
    text = text
      .replace(/<((?:https?|ftp|mailto):[^<>\s]+)>/gi, '$1')
      .replace(/<([^<>\s@]+@[^<>\s]+)>/g, '$1')
      .replace(/<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g, '');
  }
  if (has('*') || has('_')) {
    text = text
      .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
      .replace(/\*(?=\S)([^*]*?\S)\*/g, '$1')
      .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_]*?\S)_(?![\p{L}\p{N}_])/gu, '$1$2');
  }
  if (has('~')) text = text.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1');
  if (has('&')) text = decodeEntities(text);
  if (/[\uE000-\uE0FF]/.test(text)) text = restoreEscapes(text).replace(/\s*\uE0FF\s*/g, ' ');
  return text
    .replace(/\s+/g, ' ')
    .replace(/ ([,.])(?= |$)/g, '$1')
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function restoreEscapes(text: string): string {
  return text.replace(/[\uE000-\uE07F]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - PRIVATE_BASE));
}

/** `markdown` as plain text: blocks separated by a blank line. */
export function markdownToPlainText(markdown: string): string {
  return markdownToBlocks(markdown)
    .map((b) => b.text)
    .join('\n\n');
}
