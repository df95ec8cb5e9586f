/**
 * Compact, hand-written stopword lists for the languages Galley's newsrooms write in, and a tiny language guess
 * from stopword hits. The lists hold function words plus the newsroom filler that makes poor tags or summary
 * anchors (reporting verbs such as "said", calendar words, "percent"); they are deliberately short so that the
 * guess stays cheap and the lists stay reviewable.
 */

/** Languages the local model has stopwords for. */
export const LANGUAGES = Object.freeze(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'] as const);

/** A language the local model knows. */
export type Language = (typeof LANGUAGES)[number];

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter((w) => w.length > 0));

const LISTS: Readonly<Record<Language, ReadonlySet<string>>> = Object.freeze({
  en: words(`
    a about above after again against ago all almost also although am among an and another any are aren't around as
    at be because been before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each either else even ever every few for from further get gets got had hadn't has
    hasn't have haven't having he he's her here hers herself him himself his how however i i'm if in into is isn't it
    it's its itself just least less let like made make makes many may me might more most much must my myself near
    neither new no nor not now of off often on once one only onto or other others our ours ourselves out over own per
    perhaps quite rather really same several shall she she's should shouldn't since so some still such than that
    that's the their theirs them themselves then there there's these they they're this those though through thus to
    too toward towards two three under until up upon us very via was wasn't we we're were weren't what what's when
    where whether which while who whom whose why will with within without won't would wouldn't yet you you're your
    yours yourself yourselves
    said says say saying told tells according added asked announced reported stated
    mr mrs ms dr
    year years month months week weeks day days today yesterday tomorrow monday tuesday wednesday thursday friday
    saturday sunday percent per cent million millions billion billions thousand thousands first second last next
    also including include includes included time times way lot lots thing things`),
  de: words(`
    aber alle allem allen aller alles als also am an andere anderen anderer anderes auch auf aus bei beim bereits bin
    bis bisher bist da dabei dadurch dafür dagegen damit danach dann darauf darum das dass davon dazu dein deine dem
    den denen denn der deren des dessen deshalb die dies diese diesem diesen dieser dieses doch dort du durch ein eine
    einem einen einer eines einige einmal er es etwa euch euer für gegen gewesen hab habe haben hat hatte hatten hier
    hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im immer in ins ist ja jede jedem jeden jeder jedes jedoch
    jetzt kann kein keine keinem keinen können könnte man manche mehr mein meine mich mir mit muss müssen musste nach
    neue neuen nicht nichts noch nun nur ob oder ohne schon sehr sei seien sein seine seinem seinen seiner seit sich sie
    sind so soll sollen sollte sondern sowie über um und uns unser unter viel viele vom von vor war waren warum was
    weil weiter welche welchem welchen welcher wenn wer werde werden wie wieder will wir wird wo wurde wurden zu zum
    zur zwar zwei zwischen
    sagte sagt sagten laut heißt hieß erklärte teilte mit
    heute gestern morgen jahr jahre jahren monat woche tag tage prozent millionen milliarden montag dienstag mittwoch
    donnerstag freitag samstag sonntag`),
  fr: words(`
    a à afin ai ainsi alors après au aucun aussi autre autres aux avait avant avec avoir c ça car ce ceci cela celle
    celui cependant certains ces cet cette chez ci comme comment d dans de depuis des deux dont du elle elles en encore
    entre est et été être eu eux fait faire il ils j jamais je jusqu l la le les leur leurs lors lorsqu lui m ma mais
    me même mes moi moins mon n ne ni non nos notre nous on ont ou où par parce pas peu peut plus plusieurs pour
    pourquoi puis qu quand que quel quelle quelles quels qui s sa sans se selon sera ses si sien son sont sous sur ta
    tandis te tes toi ton tous tout toute toutes très tu un une vers vos votre vous y déjà ici là bien sont était
    étaient sera seront
    dit déclaré affirmé indiqué annoncé selon
    an ans année années jour jours hier aujourd'hui demain lundi mardi mercredi jeudi vendredi samedi dimanche
    pourcent millions milliards`),
  es: words(`
    a al algo algunas algunos ante antes aquí así aunque cada como con contra cual cuando de del desde donde dos
    durante e el él ella ellas ellos en entre era eran es esa esas ese eso esos esta está están estaba estado estar
    este esto estos fue fueron ha había han hasta hay la las le les lo los más me mi mientras muy nada ni no nos o
    otra otras otro otros para pero poco por porque que qué quien se sea según ser si sí sido siempre sin sobre son
    su sus también tan tanto te tiene tienen todo todos tras tu un una uno unos ya yo
    dijo dice afirmó aseguró explicó indicó señaló además
    año años día días hoy ayer mañana lunes martes miércoles jueves viernes sábado domingo ciento millones`),
  it: words(`
    a ad agli ai al alla alle allo anche ancora avere aveva c che chi ci come con contro cosa così cui da dai dal
    dalla dalle degli dei del della delle dello di dopo dove due e è ed era erano essere fa già gli ha hanno ho i il
    in io la le lei lo loro lui ma mai mi molto ne negli nei nel nella nelle noi non nostro o ogni ora per perché più
    poi proprio può qua quale quali quando quella quelle quello questa queste questi questo se sei senza si sia siamo
    solo sono sta stato stati su sua sue sui sul sulla suo suoi tra tutti tutto un una uno
    dell all dall nell sull quell
    detto dichiarato spiegato secondo
    anno anni giorno giorni oggi ieri domani lunedì martedì mercoledì giovedì venerdì sabato domenica cento milioni
    miliardi`),
  nl: words(`
    aan al alle alleen als andere bij dan dat de der deze die dit doch door dus een eens en er geen had heb hebben
    heeft hem het hier hij hoe hun ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet
    niets nog nu of om omdat ons onze ook op over reeds te tegen toch toen tot twee u uit van veel voor want was wat
    we wel werd wie wij wil worden wordt zal ze zei zegt zelf zich zij zijn zo zonder zou volgens
    jaar jaren dag dagen vandaag gisteren morgen procent miljoen miljard maandag dinsdag woensdag donderdag vrijdag
    zaterdag zondag`),
  pt: words(`
    a à ao aos as às até com como da das de dela dele deles do dos e é ela elas ele eles em entre era eram essa esse
    esta está estão este eu foi foram há isso isto já lhe mais mas me mesmo meu minha muito na nas não nem no nos
    nós o os ou para pela pelas pelo pelos por porque qual quando que quem se sem ser seu seus sua suas são também
    te tem têm um uma umas uns você ainda sobre depois antes
    disse afirmou segundo
    ano anos dia dias hoje ontem amanhã segunda terça quarta quinta sexta sábado domingo cento milhões`),
});

/** The languages whose list holds each word; words shared by several languages weigh less in the guess. */
const WORD_LANGUAGES: ReadonlyMap<string, readonly Language[]> = (() => {
  const map = new Map<string, Language[]>();
  for (const language of LANGUAGES) {
    for (const w of LISTS[language]) map.set(w, [...(map.get(w) ?? []), language]);
  }
  return map;
})();

/** Words enough to tell the language; reading further only costs time. */
const GUESS_WORDS = 400;

const UNIONS: Readonly<Record<Language, ReadonlySet<string>>> = Object.freeze({
  en: LISTS.en,
  de: new Set([...LISTS.de, ...LISTS.en]),
  fr: new Set([...LISTS.fr, ...LISTS.en]),
  es: new Set([...LISTS.es, ...LISTS.en]),
  it: new Set([...LISTS.it, ...LISTS.en]),
  nl: new Set([...LISTS.nl, ...LISTS.en]),
  pt: new Set([...LISTS.pt, ...LISTS.en]),
});

/** The stopwords of `language`; other languages' lists also include English (loanwords are common in news). */
export function stopwordsFor(language: Language): ReadonlySet<string> {
  return UNIONS[language];
}

/** True when `word` (lower-case) is a stopword in any known language; used where the language is not decided. */
export function isAnyStopword(word: string): boolean {
  return WORD_LANGUAGES.has(word);
}

/** The known language named by a BCP 47 tag's primary subtag (`de-AT` → `de`), or undefined. */
export function languageOfLocale(locale: string | undefined): Language | undefined {
  const primary = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((l) => l === primary);
}

/**
 * Guesses the language of lower-case `words` (the first 400) from stopword hits, each hit weighted by 1 / (number
 * of lists that hold the word). A known `locale` wins; no hits at all means English. Ties go to the earlier language in
 * `LANGUAGES`, so the guess is deterministic.
 */
export function guessLanguage(words: Iterable<string>, locale?: string): Language {
  const declared = languageOfLocale(locale);
  if (declared !== undefined) return declared;
  const scores = new Map<Language, number>();
  let read = 0;
  for (const word of words) {
    if (read++ >= GUESS_WORDS) break;
    const languages = WORD_LANGUAGES.get(word);
    if (languages === undefined) continue;
    for (const language of languages) scores.set(language, (scores.get(language) ?? 0) + 1 / languages.length);
  }
  let best: Language = 'en';
  let bestScore = 0;
  for (const language of LANGUAGES) {
    const score = scores.get(language) ?? 0;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}
