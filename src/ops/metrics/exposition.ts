/**
 * A reader of the Prometheus text exposition format (0.0.4), for checking what `/metrics` actually serves:
 * tests assert on scraped samples, and tools can sum a scrape without a Prometheus server. It reads sample
 * lines only (`# HELP` / `# TYPE` are skipped) and unescapes label values (`\\`, `\"`, `\n`).
 */

/** One sample line. */
export interface Sample {
  /** Series name, including `_bucket` / `_sum` / `_count` suffixes. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Parses the label block starting at `text[start] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    if (text[i] === ',') i += 1;
    if (text[i] === '}') break;
    const name = NAME.exec(text.slice(i))?.[0];
    if (name === undefined || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') {
      throw new Error(`malformed label at column ${i}: ${text}`);
    }
    i += name.length + 2;
    let value = '';
    while (text[i] !== '"') {
      if (i >= text.length) throw new Error(`unterminated label value: ${text}`);
      if (text[i] === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += text[i];
        i += 1;
      }
    }
    labels[name] = value;
    i += 1;
  }
  return { labels, end: i + 1 };
}

/** Parses every sample of a text-format scrape. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new Error(`malformed sample: ${line}`);
    let rest = name.length;
    let labels: Record<string, string> = {};
    if (line[rest] === '{') ({ labels, end: rest } = parseLabels(line, rest));
    const [value = ''] = line.slice(rest).trim().split(/\s+/);
    samples.push({ name, labels, value: value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include every pair of `match`. */
export function sumSamples(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}) {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(match).every(([key, value]) => sample.labels[key] === value)) total += sample.value;
  }
  return total;
}
