/**
 * `galley prompts promote <task> <version>`: moves the `production` label to a candidate version only when its
 * shadow parity holds — enough paired shadow samples, an eval run of that exact version that passed its gate with
 * a pass rate no lower than production's, outputs that agree with production's, and latency and tokens within
 * bounds. Otherwise it refuses and says which checks failed; nothing moves.
 */
import type { Store } from '../../data/store/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import type { PromptCatalog } from '../prompts/promptCatalog.ts';
import type { TaskName } from '../tasks.ts';
import { type ShadowParity, shadowParity } from './shadowParity.ts';

/** When a candidate may be promoted. */
export interface PromotionPolicy {
  /** Paired shadow samples needed. */
  readonly minSamples: number;
  /** Mean output agreement with production needed (0–1). */
  readonly minAgreement: number;
  /** Candidate p95 latency at most this multiple of production's … */
  readonly maxLatencyRatio: number;
  /** … or at most this many ms above it (a ratio of two small numbers is noise). */
  readonly latencySlackMs: number;
  /** Candidate mean tokens at most this multiple of production's. */
  readonly maxTokenRatio: number;
}

/** The default policy. */
export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = Object.freeze({
  minSamples: 20,
  minAgreement: 0.3,
  maxLatencyRatio: 1.5,
  latencySlackMs: 50,
  maxTokenRatio: 1.5,
});

/** One check of the policy. */
export interface PromotionCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The checks of `parity` against `policy`. */
export function promotionChecks(parity: ShadowParity, policy: PromotionPolicy): readonly PromotionCheck[] {
  const { production: p, candidate: c } = parity;
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b);
  return [
    {
      name: 'samples',
      ok: c.samples >= policy.minSamples,
      detail: `${c.samples} paired shadow samples (need ≥ ${policy.minSamples})`,
    },
    {
      name: 'eval gate',
      ok: c.evalGatePassed === true,
      detail:
        c.evalGatePassed === null
          ? 'the candidate version has no eval run (run galley eval --version)'
          : `candidate gate ${c.evalGatePassed ? 'passed' : 'failed'}`,
    },
    {
      name: 'eval pass rate',
      ok: c.evalPassRate !== null && (p.evalPassRate === null || c.evalPassRate >= p.evalPassRate),
      detail: `candidate ${c.evalPassRate ?? 'n/a'} vs production ${p.evalPassRate ?? 'n/a'}`,
    },
    {
      name: 'agreement',
      ok: parity.agreement !== null && parity.agreement >= policy.minAgreement,
      detail: `${parity.agreement ?? 'n/a'} (need ≥ ${policy.minAgreement})`,
    },
    {
      name: 'p95 latency',
      ok:
        ratio(c.p95LatencyMs, p.p95LatencyMs) <= policy.maxLatencyRatio ||
        c.p95LatencyMs <= p.p95LatencyMs + policy.latencySlackMs,
      detail: `${c.p95LatencyMs} ms vs ${p.p95LatencyMs} ms (≤ ${policy.maxLatencyRatio}× or +${policy.latencySlackMs} ms)`,
    },
    {
      name: 'tokens',
      ok: ratio(c.meanTokens, p.meanTokens) <= policy.maxTokenRatio,
      detail: `${c.meanTokens} vs ${p.meanTokens} per call (≤ ${policy.maxTokenRatio}×)`,
    },
  ];
}

/** Input of promotePrompt. */
export interface PromotePromptProps {
  readonly store: Store;
  readonly prompts: PromptCatalog;
  readonly task: TaskName;
  /** The candidate version (full hash). */
  readonly hash: string;
  readonly actor: string;
  readonly policy?: PromotionPolicy;
}

/** Promotes or throws GALLEY_AI_PROMOTION_REFUSED naming the failed checks; returns the parity it judged. */
export async function promotePrompt(
  props: PromotePromptProps,
): Promise<{ parity: ShadowParity; checks: readonly PromotionCheck[] }> {
  const production = await props.prompts.byLabel(props.task, 'production');
  if (production.hash === props.hash) {
    throw new GalleyError('GALLEY_AI_PROMOTION_REFUSED', 'that version already serves production');
  }
  const candidate = await props.prompts.byHash(props.hash);
  if (candidate.task !== props.task) {
    throw new GalleyError(
      'GALLEY_VALIDATION_FAILED',
      `version ${props.hash.slice(0, 12)} belongs to ${candidate.task}`,
    );
  }
  const parity = await shadowParity(props.store, props.task, production.hash, props.hash);
  const checks = promotionChecks(parity, props.policy ?? DEFAULT_PROMOTION_POLICY);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new GalleyError(
      'GALLEY_AI_PROMOTION_REFUSED',
      `promotion refused: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }
  await props.prompts.setLabel({
    task: props.task,
    label: 'production',
    hash: props.hash,
    actor: props.actor,
    reason: `shadow parity: ${checks.map((c) => `${c.name} ${c.detail}`).join('; ')}`,
  });
  return { parity, checks };
}
