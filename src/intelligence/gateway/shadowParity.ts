/**
 * Parity of a candidate prompt version against production, from shadow runs on real requests: each shadow call
 * (candidate, `shadow = 1`) is paired with the production call on the same normalized input (same input hash).
 * Reports, per side, the samples, p95 latency, mean tokens and cost, and the golden-set eval pass rate of that
 * exact version (its newest stored eval run); and the agreement between the paired outputs (token-overlap
 * similarity of their texts, 1 = identical words).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { findEvalRun } from '../evals/runs/evalRunQueries.ts';
import type { TaskName } from '../tasks.ts';
import { aiDb } from './tables.ts';

/** One side of the comparison. */
export interface ParitySide {
  readonly promptHash: string;
  /** Paired calls of this side (the same number on both sides). */
  readonly samples: number;
  readonly p95LatencyMs: number;
  readonly meanTokens: number;
  readonly meanCostUsd: number;
  /** Pass rate of the newest eval run of this version; null when it was never evaluated. */
  readonly evalPassRate: number | null;
  /** Whether that run passed its gate; null when never evaluated. */
  readonly evalGatePassed: boolean | null;
}

/** The comparison. */
export interface ShadowParity {
  readonly task: TaskName;
  readonly production: ParitySide;
  readonly candidate: ParitySide;
  /** Mean token-overlap similarity of paired outputs (0–1); null without pairs. */
  readonly agreement: number | null;
}

interface CallFigures {
  readonly inputHash: string;
  readonly outputHash: string;
  readonly latencyMs: number;
  readonly tokens: number;
  readonly costMicros: number;
}

async function calls(store: Store, task: TaskName, promptHash: string, shadow: boolean): Promise<CallFigures[]> {
  const rows = await aiDb(store.db)
    .selectFrom('ai_calls')
    .select(['input_hash', 'output_hash', 'latency_ms', 'tokens_in', 'tokens_out', 'cost_micros'])
    .where('task', '=', task)
    .where('prompt_hash', '=', promptHash)
    .where('shadow', '=', shadow ? 1 : 0)
    .where('cache_hit', '=', 0)
    .where('status', 'in', ['ok', 'fallback'])
    .where('output_hash', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(5_000)
    .execute();
  return rows.map((r) => ({
    inputHash: r.input_hash,
    outputHash: r.output_hash ?? '',
    latencyMs: Number(r.latency_ms),
    tokens: Number(r.tokens_in) + Number(r.tokens_out),
    costMicros: Number(r.cost_micros),
  }));
}

function p95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Words of every string inside a JSON output. */
function words(text: string): Set<string> {
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(text));
  } catch {
    strings.push(text);
  }
  return new Set(
    strings
      .join(' ')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [],
  );
}

/** Jaccard similarity of two outputs' word sets (1 when both are empty). */
export function outputAgreement(a: string, b: string): number {
  const x = words(a);
  const y = words(b);
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared += 1;
  return shared / (x.size + y.size - shared);
}

async function side(
  db: Kysely<Database>,
  task: TaskName,
  promptHash: string,
  figures: readonly CallFigures[],
): Promise<ParitySide> {
  const run = await findEvalRun(db, task, promptHash);
  const matching = run !== undefined && run.promptHash === promptHash ? run : undefined;
  return {
    promptHash,
    samples: figures.length,
    p95LatencyMs: Math.round(p95(figures.map((f) => f.latencyMs))),
    meanTokens: Math.round(mean(figures.map((f) => f.tokens))),
    meanCostUsd: mean(figures.map((f) => f.costMicros)) / 1e6,
    evalPassRate: matching?.figures.passRate ?? null,
    evalGatePassed: matching?.gate.pass ?? null,
  };
}

/** Compares `candidateHash` (shadow runs) with `productionHash` for `task`. */
export async function shadowParity(
  store: Store,
  task: TaskName,
  productionHash: string,
  candidateHash: string,
): Promise<ShadowParity> {
  const [shadowCalls, productionCalls] = await Promise.all([
    calls(store, task, candidateHash, true),
    calls(store, task, productionHash, false),
  ]);
  const byInput = new Map(productionCalls.map((c) => [c.inputHash, c]));
  const pairs = shadowCalls.flatMap((c) => {
    const p = byInput.get(c.inputHash);
    return p === undefined ? [] : [{ candidate: c, production: p }];
  });
  const hashes = [...new Set(pairs.flatMap((p) => [p.candidate.outputHash, p.production.outputHash]))];
  const texts = new Map<string, string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await aiDb(store.db)
      .selectFrom('ai_outputs')
      .select(['hash', 'text'])
      .where('hash', 'in', hashes.slice(i, i + 500))
      .execute();
    for (const r of rows) texts.set(r.hash, r.text);
  }
  const agreements = pairs.map((p) =>
    outputAgreement(texts.get(p.production.outputHash) ?? '', texts.get(p.candidate.outputHash) ?? ''),
  );
  return {
    task,
    production: await side(
      store.db,
      task,
      productionHash,
      pairs.map((p) => p.production),
    ),
    candidate: await side(
      store.db,
      task,
      candidateHash,
      pairs.map((p) => p.candidate),
    ),
    agreement: agreements.length === 0 ? null : Math.round(mean(agreements) * 1000) / 1000,
  };
}
