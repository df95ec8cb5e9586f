/**
 * Turning a sentence into a headline without inventing anything: drop a dateline (`BERLIN (Reuters) -`) and a
 * trailing attribution (`…, the minister said.`), drop the final period, cut at a clause boundary when too long,
 * and keep quotes balanced. Also title case (English) and sentence case (other languages) for phrases.
 */
import { cutAtWord, stripDangling } from './trim.ts';

const DATELINE = /^(?:\p{Lu}[\p{Lu}\p{M} .,'’/-]{1,40}(?:\s*\([^)]{1,40}\))?|\([^)]{1,40}\))\s*[-–—:]\s+/u;
const VERBS_OF_SAYING =
  'said|says|told|added|sagte|sagt|erklärte|betonte|a déclaré|a dit|a indiqué|a affirmé|dijo|afirmó|explicó|ha detto|ha dichiarato|zei|disse|afirmou';
const ATTRIBUTION = new RegExp(
  `,\\s+(?:[^,]{0,60}\\s)?(?:${VERBS_OF_SAYING}|according to|teilte\\s[^,]*mit|selon|según|secondo|volgens|segundo)(?![\\p{L}\\p{N}])[^,]*$`,
  'iu',
);
const QUOTED = new RegExp(
  `^["“„«‘]\\s*([^"”“»]{20,}?)[,.]?\\s*["”“»’]\\s*,?\\s+(?:${VERBS_OF_SAYING})(?![\\p{L}\\p{N}])`,
  'iu',
);
const LEADING_SOURCE = /^(?:according to|selon|según|secondo|laut|volgens|segundo)\s[^,]{1,60},\s*/iu;
const RELATIVE_CLAUSE =
  /,\s+(?:which|who|whose|where|der|die|das|dessen|deren|qui|dont|que|che|cui|dat|wat)\s[^,]{2,70},\s+/giu;
const APPOSITION = /,\s+(?:an?|the|ein|eine|un|une|le|la|el|los|las|il|lo|o|os|as)\s[^,]{2,70},\s+/giu;
const NAME_APPOSITION = /,\s+(?:\p{Lu}[\p{L}\p{M}.'’-]*\s){0,3}\p{Lu}[\p{L}\p{M}'’-]*,\s+/gu;
const SUBORDINATE =
  /^(?:after|before|when|while|although|though|despite|as|since|if|in|on|at|with|following|nach|vor|trotz|während|als|wenn|obwohl|après|avant|malgré|lorsque|quand|si|tras|después|antes|aunque|cuando|dopo|prima|mentre|nonostante|na|ondanks|toen|após|depois|embora|quando)\s/iu;
const CONJUNCTION =
  'because|although|though|while|whereas|once|until|unless|weil|obwohl|während|sobald|nachdem|parce que|bien que|alors que|porque|aunque|mientras|hasta que|perché|mentre|sebbene|finché|omdat|hoewel|terwijl|totdat|embora|enquanto';
const CLAUSE = new RegExp(`[,;:]\\s|\\s[–—-]\\s|\\s\\(|(?:…|\\.\\.\\.)\\s|\\s(?=(?:${CONJUNCTION})\\s)`, 'giu');
const MINOR = new Set(
  'a an and as at but by for from in into nor of on onto or over per the to vs via with'.split(' '),
);

/** `sentence` without a leading dateline such as `BERLIN (Reuters) - ` (the rest is still a substring). */
export function withoutDateline(sentence: string): string {
  const stripped = sentence.replace(DATELINE, '');
  return stripped.length >= 20 ? stripped : sentence;
}

/**
 * A headline made of `sentence`, at most `maxChars` long: a quotation keeps only the quoted words, a leading
 * source ("According to X,") and a trailing attribution go, and a long sentence loses its inserted clauses
 * (", which …,", ", Andrés Quiroga,", ", an economist at …,") and is then cut at a clause boundary, or at a word
 * if need be.
 */
export function headlineOf(sentence: string, maxChars: number): string {
  let text = withoutDateline(sentence).trim();
  const quoted = QUOTED.exec(text)?.[1];
  if (quoted !== undefined) text = quoted;
  text = prefer(text, text.replace(ATTRIBUTION, ''));
  text = text.replace(/\s*[.。](["'”’»)\]]*)$/u, '$1').trim();
  if (text.length > maxChars) text = capitalize(prefer(text, text.replace(LEADING_SOURCE, '')));
  if (text.length > maxChars) text = prefer(text, text.replace(RELATIVE_CLAUSE, ' '));
  if (text.length > maxChars) text = prefer(text, text.replace(NAME_APPOSITION, ' '));
  // After an opening subordinate clause, ", the …," is the main clause, not an apposition.
  if (text.length > maxChars && !SUBORDINATE.test(text)) text = prefer(text, text.replace(APPOSITION, ' '));
  if (text.length > maxChars) text = clauseCut(text, maxChars);
  return balanceQuotes(stripDangling(text)).trim();
}

/** `shorter` unless it lost too much to stand alone. */
function prefer(text: string, shorter: string): string {
  return shorter.trim().length >= 20 ? shorter.trim() : text;
}

/**
 * Cuts at the first clause boundary past 30 characters (the second one when the sentence opens with a
 * subordinate clause), else the last one past 15, else at a word.
 */
function clauseCut(text: string, maxChars: number): string {
  const boundaries = [...text.matchAll(CLAUSE)].map((m) => m.index).filter((i) => i <= maxChars);
  const usable = SUBORDINATE.test(text) ? boundaries.slice(1) : boundaries;
  const at = usable.find((i) => i >= 30) ?? usable.filter((i) => i >= 15).at(-1);
  return at !== undefined ? text.slice(0, at) : cutAtWord(text, maxChars, { ellipsis: false });
}

const PAIRS: readonly (readonly [string, string])[] = [
  ['“', '”'],
  ['«', '»'],
  ['„', '“'],
  ['‘', '’'],
  ['(', ')'],
];

/** Removes quote marks and brackets left without their partner by a cut. */
export function balanceQuotes(text: string): string {
  let out = text;
  for (const [open, close] of PAIRS) {
    const opens = out.split(open).length - 1;
    const closes = open === close ? 0 : out.split(close).length - 1;
    if (opens > closes && !out.includes(close)) out = out.replaceAll(open, '');
    else if (closes > opens && opens === 0) out = out.replaceAll(close, '');
  }
  if ((out.split('"').length - 1) % 2 === 1) {
    out = out.startsWith('"') ? out.slice(1) : out.replace(/"([^"]*)$/, '$1');
  }
  return out.trim();
}

/** English title case: minor words lower-case except first and after a colon; acronyms and mixed case kept. */
export function titleCase(text: string): string {
  let afterColon = true;
  return text
    .split(' ')
    .map((word) => {
      const first = afterColon;
      afterColon = /[:—–]$/u.test(word);
      if (/\p{Lu}/u.test(word.slice(1)) || !/^\p{Ll}/u.test(word)) return word;
      if (!first && MINOR.has(word.toLowerCase().replace(/[^\p{L}]/gu, ''))) return word;
      return capitalize(word);
    })
    .join(' ');
}

/** `text` with its first letter upper-case. */
export function capitalize(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const char = String.fromCodePoint(first);
  return char.toUpperCase() + text.slice(char.length);
}
