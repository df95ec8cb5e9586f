// Builds evals/safety/<category>.jsonl from the hand-written sources in this folder, then rewrites
// MANIFEST.sha256. Run: npx node evals/safety/authoring/build.mjs
//
// Source format: a case starts with a line `## <id>` (optionally `## <id> lang=de`); its text is every line
// up to the next `## ` line, trimmed. Inline markup is expanded:
//   {{b64:…}} base64, {{hex:…}} hex bytes, {{url:…}} percent-encoding, {{zw:…}} zero-width characters between
//   letters, {{homo:…}} Cyrillic/Greek lookalikes for Latin letters, {{ent:…}} HTML numeric entities,
//   {{rot13:…}} ROT13; in pii.txt, {{kind:text}} marks an expected finding (kind = email, phone, card, iban,
//   national_id, address, ip).
// The split is deterministic: sha256(id) first byte < 77 (≈ 30 %) is holdout, the rest dev.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const CATEGORIES = ['injection-direct', 'injection-indirect', 'jailbreak', 'extraction', 'pii', 'benign'];
const PII_KINDS = new Set(['email', 'phone', 'card', 'iban', 'national_id', 'address', 'ip']);
const HOMO = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  y: 'у',
  x: 'х',
  i: 'і',
  s: 'ѕ',
  j: 'ј',
  A: 'А',
  E: 'Е',
  O: 'О',
  P: 'Р',
  C: 'С',
  T: 'Т',
  H: 'Н',
  K: 'К',
  M: 'М',
  B: 'В',
  X: 'Х',
};
const ZW = ['\u200b', '\u200c', '\u200d', '\u2060'];

function transform(kind, body) {
  switch (kind) {
    case 'b64':
      return Buffer.from(body, 'utf8').toString('base64');
    case 'hex':
      return Buffer.from(body, 'utf8').toString('hex');
    case 'url':
      return [...Buffer.from(body, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    case 'zw':
      return [...body].map((c, i) => c + (c === ' ' ? '' : (ZW[i % ZW.length] ?? ''))).join('');
    case 'homo':
      return [...body].map((c, i) => (i % 2 === 0 ? (HOMO[c] ?? c) : c)).join('');
    case 'ent':
      return [...body].map((c) => (/[a-z]/i.test(c) ? `&#${c.codePointAt(0)};` : c)).join('');
    case 'rot13':
      return body.replace(/[a-z]/gi, (c) => {
        const base = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
      });
    default:
      return null;
  }
}

/** Expands markup; returns the text and the PII spans it marked. */
function expand(raw) {
  let text = '';
  const spans = [];
  let at = 0;
  const re = /\{\{([a-z0-9_]+):([\s\S]*?)\}\}/g;
  for (const m of raw.matchAll(re)) {
    text += raw.slice(at, m.index);
    at = m.index + m[0].length;
    const [, kind, body] = m;
    if (PII_KINDS.has(kind)) {
      spans.push({ kind, start: text.length, end: text.length + body.length, text: body });
      text += body;
    } else {
      const out = transform(kind, body);
      if (out === null) throw new Error(`unknown markup ${kind}`);
      text += out;
    }
  }
  return { text: text + raw.slice(at), spans };
}

function splitOf(id) {
  return createHash('sha256').update(id).digest()[0] < 77 ? 'holdout' : 'dev';
}

function parse(category) {
  const src = readFileSync(join(here, `${category}.txt`), 'utf8');
  const cases = [];
  const ids = new Set();
  for (const block of src.split(/^## /m).slice(1)) {
    const nl = block.indexOf('\n');
    const [name, ...attrs] = block.slice(0, nl).trim().split(/\s+/);
    const id = `${category}-${name}`;
    if (ids.has(id)) throw new Error(`duplicate id ${id}`);
    ids.add(id);
    const meta = Object.fromEntries(attrs.map((a) => a.split('=')));
    const { text, spans } = expand(block.slice(nl + 1).trim());
    const expect =
      category === 'benign'
        ? { flagged: false, pii: spans }
        : category === 'pii'
          ? { pii: spans }
          : category === 'jailbreak'
            ? { blocked: true }
            : { injection: true };
    cases.push({
      id,
      category,
      text,
      expect,
      lang: meta.lang ?? 'en',
      source: 'galley (hand-written)',
      licence: 'UNLICENSED (Galley project)',
      split: splitOf(id),
    });
  }
  return cases;
}

for (const category of CATEGORIES) {
  const cases = parse(category);
  writeFileSync(join(root, `${category}.jsonl`), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  const holdout = cases.filter((c) => c.split === 'holdout').length;
  const spans = cases.reduce((n, c) => n + (c.expect.pii?.length ?? 0), 0);
  console.log(`${category}: ${cases.length} cases (${holdout} holdout)${spans ? `, ${spans} PII spans` : ''}`);
}

const files = [
  ...CATEGORIES.map((c) => `${c}.jsonl`),
  ...readdirSync(join(root, 'public'))
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => `public/${f}`),
];
const lines = files.map(
  (f) =>
    `${createHash('sha256')
      .update(readFileSync(join(root, f)))
      .digest('hex')}  ${f}`,
);
writeFileSync(join(root, 'MANIFEST.sha256'), `${lines.join('\n')}\n`);
console.log(`MANIFEST.sha256: ${files.length} files`);
