/**
 * The shadow-deploy half of `galley prompts`:
 *
 *   galley prompts compare <task> [--candidate <ref>]     parity of the candidate (default: its `candidate`
 *                                                          label) against production over shadow samples
 *   galley prompts promote <task> <ref> [--min-samples n] move `production` to the version if parity holds
 *
 * The eval pass rates come from stored runs of each exact version (`galley eval --task <t> --version <hash>`).
 */
import type { DataPlane } from '../../data/dataPlane.ts';
import {
  DEFAULT_PROMOTION_POLICY,
  type PromotionCheck,
  promotePrompt,
  promotionChecks,
} from '../../intelligence/gateway/promptPromoter.ts';
import { type ParitySide, type ShadowParity, shadowParity } from '../../intelligence/gateway/shadowParity.ts';
import { createPromptCatalog } from '../../intelligence/prompts/promptCatalog.ts';
import type { TaskName } from '../../intelligence/tasks.ts';
import { resolveHash } from './promptsOutput.ts';

type Out = (line: string) => void;

function sideLine(name: string, s: ParitySide): string {
  const rate =
    s.evalPassRate === null
      ? 'not evaluated'
      : `${(s.evalPassRate * 100).toFixed(1)} %${s.evalGatePassed ? '' : ' (gate failed)'}`;
  return `${name.padEnd(10)} ${s.promptHash.slice(0, 12)}  eval ${rate.padEnd(22)} p95 ${String(s.p95LatencyMs).padStart(6)} ms  tokens ${String(s.meanTokens).padStart(6)}  cost $${s.meanCostUsd.toFixed(6)}`;
}

function print(parity: ShadowParity, checks: readonly PromotionCheck[], out: Out): void {
  out(`${parity.task}: ${parity.candidate.samples} paired shadow sample(s), agreement ${parity.agreement ?? 'n/a'}`);
  out(sideLine('production', parity.production));
  out(sideLine('candidate', parity.candidate));
  for (const c of checks) out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
}

/** `compare`: prints parity and whether promotion would be allowed. */
export async function comparePrompts(
  plane: DataPlane,
  task: TaskName,
  candidateRef: string | undefined,
  out: Out,
): Promise<number> {
  const prompts = createPromptCatalog(plane.store, plane.kv);
  try {
    const production = await prompts.byLabel(task, 'production');
    const candidate =
      candidateRef === undefined
        ? await prompts.byLabel(task, 'candidate')
        : await prompts.byHash(await resolveHash(plane.store, candidateRef));
    const parity = await shadowParity(plane.store, task, production.hash, candidate.hash);
    const checks = promotionChecks(parity, DEFAULT_PROMOTION_POLICY);
    print(parity, checks, out);
    out(checks.every((c) => c.ok) ? 'promotion would be allowed' : 'promotion would be refused');
    return 0;
  } finally {
    await prompts.close();
  }
}

/** `promote`: moves production when parity holds; exit 1 with the failed checks otherwise. */
export async function promotePrompts(
  plane: DataPlane,
  task: TaskName,
  ref: string,
  minSamples: number | undefined,
  actor: string,
  out: Out,
): Promise<number> {
  const prompts = createPromptCatalog(plane.store, plane.kv);
  try {
    const hash = await resolveHash(plane.store, ref);
    const { parity, checks } = await promotePrompt({
      store: plane.store,
      prompts,
      task,
      hash,
      actor,
      policy: { ...DEFAULT_PROMOTION_POLICY, ...(minSamples === undefined ? {} : { minSamples }) },
    });
    print(parity, checks, out);
    out(`${task}:production -> ${hash.slice(0, 12)}`);
    return 0;
  } finally {
    await prompts.close();
  }
}
