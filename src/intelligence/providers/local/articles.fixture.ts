/**
 * Test articles for the local model: realistic newsroom copy (invented events, real-world style) in English,
 * German, French and Spanish, with the markdown editors write (headings, lists, quotes, links, emphasis), numbers,
 * and a few awkward shapes (short, title only, code). Shared by the tests of this folder; not production data.
 */
import type { TaskInput } from '../../tasks.ts';

/** A test article. */
export type Article = TaskInput & { readonly name: string };

/** English: a policy story with a dateline, figures, a quote block and a list. */
export const HEAT_PUMPS: Article = {
  name: 'heat-pumps-en',
  title: 'Parliament backs heat pump subsidy',
  tags: ['energy', 'housing', 'sport'],
  body: `BERLIN (Reuters) - Germany's parliament on Thursday approved a €3.5 billion subsidy programme for heat pumps, \
giving households up to 70% of the installation cost as the government tries to cut emissions from heating.

The vote passed by 389 to 281 after months of wrangling inside the coalition. Heat pumps, which draw warmth from \
the air or the ground, are central to the plan because buildings produce roughly a third of the country's carbon \
emissions.

## What changes for households

- Owners who replace an oil or gas boiler with a heat pump get a base grant of 30%.
- Low-income households receive an extra 30%, capped at €21,000 per home.
- A *speed bonus* of 20% applies to boilers replaced before 2028.

Installers welcomed the decision. "Demand for heat pumps collapsed last year because nobody knew which rules \
would apply," said Anna Keller of the installers' association [ZVSHK](https://www.zvshk.de). She expects orders to \
recover by the spring.

> The subsidy is generous, but the electricity price decides whether a heat pump pays off.

Critics in the opposition said the grants favour homeowners over tenants, who cannot choose their heating. \
Dr. Martin Vogel, an economist at the DIW institute, estimated that a typical family would save about €600 a year \
on heating bills once the heat pump is installed, e.g. in a well-insulated terraced house.

The economy ministry said applications open on 1 March through the KfW development bank. Heat pump makers such \
as Viessmann and Vaillant have said they will expand production in Germany and Poland.`,
};

/** English: a science story with a U.S. abbreviation, decimals and an ellipsis. */
export const MARS_ROVER: Article = {
  name: 'mars-rover-en',
  title: 'Rover finds signs of ancient lake on Mars',
  tags: [],
  body: `NASA's Perseverance rover has found layered rocks that scientists say formed at the bottom of an ancient lake \
in Jezero crater, the U.S. space agency said on Wednesday.

The rocks contain clay minerals and carbonates, which form in water and can preserve traces of microbial life. \
Mission scientists said the layers were deposited about 3.5 billion years ago, when Mars was warmer and wetter.

"This is the clearest evidence yet that the crater held a lake for a long time... maybe millions of years," said \
Dr. Katie Stack Morgan, the mission's deputy project scientist. The rover has collected 24 rock samples so far.

NASA plans to bring the samples back to Earth in the 2030s, although the cost of the Mars Sample Return mission \
has risen to an estimated $11 billion and Congress has questioned the budget. Mr. Nelson, the NASA administrator, \
said the agency was reviewing cheaper designs.

Scientists cautioned that the findings do not prove life existed on Mars. Only laboratory analysis on Earth can \
answer that question, they said.`,
};

/** German: a transport story with German ordinals, abbreviations and quotes. */
export const BAHN_STREIK: Article = {
  name: 'bahn-streik-de',
  title: 'Lokführer streiken erneut',
  tags: ['bahn', 'streik'],
  locale: 'de',
  body: `Die Lokführergewerkschaft GDL hat für Mittwoch einen neuen Streik bei der Deutschen Bahn angekündigt. Der \
Ausstand soll am 3. Oktober um 2 Uhr beginnen und 24 Stunden dauern, teilte die Gewerkschaft am Montag mit.

Betroffen sind der Fernverkehr, der Regionalverkehr und die S-Bahnen in allen Bundesländern. Die Bahn rechnet mit \
massiven Ausfällen und rät Reisenden, ihre Fahrt zu verschieben. Bereits gebuchte Tickets behalten z. B. bis \
Sonntag ihre Gültigkeit.

Im Tarifstreit fordert die GDL eine Senkung der Wochenarbeitszeit von 38 auf 35 Stunden bei vollem Lohnausgleich. \
Die Bahn bietet bisher eine Lohnerhöhung von 11 Prozent an, lehnt eine kürzere Arbeitszeit aber ab.

„Die Bahn spielt auf Zeit, und das lassen wir uns nicht gefallen“, sagte GDL-Chef Claus Weselsky. \
Bahn-Personalvorstand Martin Seiler nannte den Streik dagegen „unverantwortlich“ gegenüber den Fahrgästen.

Es ist bereits der vierte Streik der Lokführer in diesem Tarifkonflikt. Ökonomen schätzen den Schaden für die \
Wirtschaft auf bis zu 100 Millionen Euro pro Streiktag.`,
};

/** French: a municipal story with French spacing before punctuation and guillemets. */
export const PARIS_VELO: Article = {
  name: 'paris-velo-fr',
  title: 'Paris double ses pistes cyclables',
  tags: ['vélo'],
  locale: 'fr',
  body: `La mairie de Paris a présenté mardi un plan de 250 millions d'euros pour doubler le réseau de pistes \
cyclables d'ici 2026. Le projet prévoit 180 kilomètres de nouvelles voies sécurisées, notamment sur les grands \
boulevards.

Selon l'adjoint chargé des transports, la fréquentation des pistes cyclables a augmenté de 40 % en un an. « Le vélo \
n'est plus un loisir, c'est un mode de transport à part entière », a déclaré l'élu devant le conseil municipal.

Les associations de cyclistes saluent le plan, mais demandent davantage de stationnements sécurisés. Les \
commerçants s'inquiètent en revanche de la suppression de 10 000 places de stationnement pour les voitures.

Le plan sera soumis au vote du conseil de Paris en décembre. Les premiers travaux doivent commencer au printemps \
sur le boulevard Saint-Germain et la rue de Rivoli.`,
};

/** Spanish: an economy story with inverted punctuation and abbreviations. */
export const TURISMO: Article = {
  name: 'turismo-es',
  title: 'España bate su récord de turistas',
  tags: ['turismo', 'economía'],
  body: `España recibió 85 millones de turistas internacionales el año pasado, un récord histórico que supera en un \
2 % la cifra de 2019, según los datos publicados este lunes por el Instituto Nacional de Estadística.

Los turistas gastaron unos 108.000 millones de euros durante su estancia. El Reino Unido, Francia y Alemania \
siguen siendo los principales mercados emisores, mientras que crece con fuerza el turismo procedente de Estados \
Unidos.

¿Puede el país absorber tantos visitantes? En ciudades como Barcelona, Málaga o Palma de Mallorca, los vecinos han \
protestado contra el alquiler turístico y la subida de los precios de la vivienda. El Sr. García, portavoz de una \
asociación vecinal, pidió limitar las nuevas licencias de pisos turísticos.

El Gobierno defiende que el turismo aporta cerca del 13 % del PIB y más de 2,5 millones de empleos. La ministra de \
Industria y Turismo anunció un plan para repartir mejor los visitantes a lo largo del año y del territorio.`,
};

/** Markdown-heavy English release notes: front matter, code, a table, HTML, nested emphasis. */
export const RELEASE_NOTES: Article = {
  name: 'release-notes-en',
  title: 'Galley 2.4 release notes',
  tags: ['release'],
  body: `---
author: newsroom tools team
draft: false
---
# Galley 2.4

Galley 2.4 adds **scheduled publishing** for every content type and a faster _image pipeline_. Editors can now set \
a publish date on any draft, and the entry goes live automatically at that time.

\`\`\`bash
galley migrate --check
\`\`\`

Run the \`galley migrate\` command before upgrading. See the [upgrade guide](https://docs.example.com/upgrade) for \
details.

| Feature | Status |
|---|---|
| Scheduled publishing | stable |
| Image pipeline | beta |

1. Scheduled publishing works with the approval workflow.
2. The image pipeline resizes uploads to six widths and serves them as WebP.

<p>Thanks to everyone who reported bugs &amp; tested the beta.</p>`,
};

/** A one-sentence body. */
export const SHORT: Article = {
  name: 'short-en',
  title: 'Road closed',
  tags: [],
  body: 'The A7 bridge near Hamburg is closed until Friday after a lorry crash.',
};

/** Title only. */
export const TITLE_ONLY: Article = { name: 'title-only', title: 'City council elects new mayor', tags: [], body: '' };

/** Every article above. */
export const ARTICLES: readonly Article[] = [
  HEAT_PUMPS,
  MARS_ROVER,
  BAHN_STREIK,
  PARIS_VELO,
  TURISMO,
  RELEASE_NOTES,
  SHORT,
  TITLE_ONLY,
];
