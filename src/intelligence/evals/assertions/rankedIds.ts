/**
 * `ranked-ids` (related task): the top `k` (default 3) of the output's `related` list contain the expected entry
 * ids (recall@k ≥ `minRecall`, default 1) and none of the `forbidden` ones anywhere (off-topic or unpublished
 * candidates), and every id returned was among the candidates offered as context (no invented entries).
 * Score: recall@k, zero when a forbidden or invented id appears.
 */
import { Type } from 'typebox';
import { defineAssertion, outcome } from './assertion.ts';

function idsOf(output: unknown): string[] {
  if (typeof output !== 'object' || output === null || !('related' in output)) return [];
  const list = (output as { related: unknown }).related;
  if (!Array.isArray(list)) return [];
  return list
    .map((r) => (typeof r === 'object' && r !== null ? (r as { entryId?: unknown }).entryId : undefined))
    .filter((id): id is string => typeof id === 'string');
}

/** The `ranked-ids` assertion. */
export const rankedIdsAssertion = defineAssertion({
  types: ['ranked-ids'],
  wholeOutput: true,
  params: Type.Object(
    {
      value: Type.Array(Type.String({ minLength: 1 })),
      k: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
      minRecall: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      forbidden: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const ids = idsOf(context.output);
    const k = params.k ?? 3;
    const top = ids.slice(0, k);
    const hits = params.value.filter((id) => top.includes(id));
    const recall = params.value.length === 0 ? 1 : hits.length / params.value.length;
    const forbidden = ids.filter((id) => (params.forbidden ?? []).includes(id));
    const candidates = new Set((context.input.context ?? []).map((d) => d.entryId));
    const invented = ids.filter((id) => !candidates.has(id));
    const minRecall = params.minRecall ?? 1;
    const pass = recall >= minRecall && forbidden.length === 0 && invented.length === 0;
    const details = [
      `recall@${k} ${recall.toFixed(2)} (top: ${JSON.stringify(top)})`,
      forbidden.length > 0 ? `forbidden ${JSON.stringify(forbidden)}` : '',
      invented.length > 0 ? `not among the candidates ${JSON.stringify(invented)}` : '',
    ].filter((d) => d !== '');
    return outcome(pass, forbidden.length > 0 || invented.length > 0 ? 0 : recall, details.join('; '));
  },
});
