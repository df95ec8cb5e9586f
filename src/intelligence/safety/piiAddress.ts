/**
 * Street addresses with a house number, in English, German, French, Spanish/Italian/Portuguese and Dutch
 * patterns, with an optional postcode and town after a comma (`221B Baker Street, London NW1 6XE`,
 * `Hauptstraße 12, 10115 Berlin`, `12 rue de la Paix, 75002 Paris`, `Calle Mayor 10, 28013 Madrid`,
 * `Keizersgracht 123, 1015 CJ Amsterdam`). A street name without a number is not an address.
 */
import { finding, type PiiFinding } from './piiTypes.ts';

const U = 'A-ZÄÖÜÀÂÉÈÊÎÔÛÇÁÍÓÚÑ';
const L = 'a-zäöüßàâéèêëîïôûùçáíóúñ';
const NAME = `[${U}][${L}'’-]+`;
const TOWN = `[${U}][${L}'’-]+(?:[ -](?:(?:am|an|der|sur|en|de|la|le|del|aan|den)[ -])?[${U}][${L}'’-]+){0,2}`;

const EN_TYPES =
  'Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Square|Sq|Terrace|Way|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Mews|Hill|Walk|Grove';
const EN_TAIL = `(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|#)\\.? ?[A-Za-z0-9-]+)?(?:,? (?:${TOWN}))?(?:,? (?:[A-Z]{2} \\d{5}(?:-\\d{4})?|[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}))?`;
const EN = new RegExp(
  `\\b\\d{1,5}[A-Za-z]? (?:${NAME} ){1,4}(?:${EN_TYPES})\\b\\.?(?: (?:NW|NE|SW|SE|N|S|E|W)\\b)?${EN_TAIL}`,
  'g',
);

const DE_SUFFIX =
  'straße|strasse|str\\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|markt|graben|berg|hof';
const POST5 = `(?:,? (?:D-|F-|E-|I-)?(?:\\d{5}|\\d{4}-\\d{3}) ${TOWN})?`;
const DE = new RegExp(
  `\\b(?:${NAME}(?:-${NAME})*(?:${DE_SUFFIX})|(?:${NAME}er |Am |An der |An den |Auf dem |Auf der |Im |In der |Unter den |Zum |Zur )(?:Straße|Strasse|Weg|Allee|Platz|Ring|Damm|Markt|Graben|Berg|Hof|${NAME}))\\s\\d{1,4}(?: ?[a-zA-Z]\\b)?(?:-\\d{1,4})?${POST5}`,
  'g',
);

const FR_TYPES =
  'rue|avenue|av\\.|boulevard|bd|place|allée|allee|impasse|chemin|quai|route|cours|passage|square|faubourg';
const FR = new RegExp(
  `\\b\\d{1,4}(?: ?(?:bis|ter))?,? (?:${FR_TYPES}) (?:(?:de la|de l'|du|des|de|la|le|l'|d')\\s?)*${NAME}(?: (?:(?:de|du|des|la|le|et)\\s)?${NAME}){0,3}${POST5}`,
  'gi',
);

const LATIN_TYPES =
  'Calle|C/|Avenida|Avda\\.|Av\\.|Plaza|Paseo|Camino|Carrera|Ronda|Travesía|Carretera|Via|Viale|Piazza|Corso|Largo|Vicolo|Rua|Travessa|Praça|Alameda';
const LATIN = new RegExp(
  `\\b(?:${LATIN_TYPES}) (?:(?:de la|de los|de las|del|de|la|las|los|el|dei|della|delle|do|da|dos|das)\\s)*${NAME}(?: (?:(?:de|del|la|di|della|do|da)\\s)?${NAME}){0,3},? (?:n[º°o]\\.? ?)?\\d{1,4}[A-Za-z]?(?:,? \\d{1,2}[º°ª]? ?[A-Za-z]?\\b)?${POST5}`,
  'g',
);

const NL_SUFFIX = 'straat|laan|weg|gracht|plein|kade|dijk|singel|steeg|hof|pad|dreef|park|markt|plantsoen';
const NL = new RegExp(
  `\\b${NAME}(?:${NL_SUFFIX}) \\d{1,4}(?: ?[a-zA-Z]\\b|-\\d{1,4})?(?:,? \\d{4} ?[A-Z]{2} ${TOWN})?`,
  'g',
);

/** Every street address in `text`. */
export function findAddresses(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const re of [EN, DE, FR, LATIN, NL]) {
    for (const m of text.matchAll(re)) {
      const raw = m[0].replace(/[\s,]+$/, '');
      out.push(finding('address', text, m.index, m.index + raw.length));
    }
  }
  return out;
}
