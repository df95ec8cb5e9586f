/**
 * Retrieval for tasks that need context (`related`): BM25 search over the tenant's *published* entries through
 * the search port, with the entry's distinctive title words and its tags as an OR query. The entry itself is
 * excluded. Every retrieval counts as a hit (context found) or a miss in the metrics.
 */
import type { SearchIndex } from '../../data/search/port.ts';
import type { RetrievedDoc } from '../tasks.ts';

/** Words too common to say what an entry is about (several languages; short words are dropped anyway). */
const STOPWORDS = new Set(
  (
    'about after again against also among because been before being between both could does doing down during each ' +
    'from further have having here into itself just more most other over same should some such than that their ' +
    'them then there these they this those through under until very were what when where which while whom with ' +
    'would your will says said über einer eine eines nach auch oder sind wird wurde werden dans pour avec sont ' +
    'cette entre sobre para como pero está este esta niet maar voor zijn deze door dopo della delle sono anche'
  ).split(' '),
);

/** At most this many words go into the query (each costs an index lookup). */
const MAX_QUERY_TERMS = 12;

/** Words worth searching for: long enough, not stop words, letters first. */
export function queryTerms(title: string, tags: readonly string[]): readonly string[] {
  const words = Array.from(
    title
      .normalize('NFC')
      .toLowerCase()
      .matchAll(/[\p{L}][\p{L}\p{N}]{3,}/gu),
    (m) => m[0],
  );
  const tagWords = tags.flatMap((t) => Array.from(t.toLowerCase().matchAll(/[\p{L}\p{N}]{3,}/gu), (m) => m[0]));
  const unique = [...new Set([...tagWords, ...words])].filter((w) => !STOPWORDS.has(w));
  return unique.slice(0, MAX_QUERY_TERMS);
}

/** Input of retrieveRelated. */
export interface RetrieveProps {
  /** The published collection (data plane `publishedSearch`): published copies only, never draft text. */
  readonly search: SearchIndex;
  readonly tenantId: string;
  /** The entry asking; never returned as its own relative. */
  readonly entryId: string;
  readonly title: string;
  readonly tags: readonly string[];
  /** Candidates wanted. */
  readonly limit: number;
}

/** Published entries related to the given one, best first; empty when nothing matches. */
export async function retrieveRelated(props: RetrieveProps): Promise<readonly RetrievedDoc[]> {
  const terms = queryTerms(props.title, props.tags);
  if (terms.length === 0) return [];
  const page = await props.search.query({
    tenantId: props.tenantId,
    q: terms.join(' or '),
    limit: props.limit + 1,
  });
  return page.items
    .filter((hit) => hit.id !== props.entryId)
    .slice(0, props.limit)
    .map((hit) =>
      Object.freeze({ entryId: hit.id, title: hit.title, snippet: stripMarks(hit.snippet), score: hit.score }),
    );
}

/** Search snippets mark matches; the model gets plain text. */
function stripMarks(snippet: string): string {
  return snippet.replace(/<\/?mark>/g, '');
}
