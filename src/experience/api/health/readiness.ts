/**
 * Readiness: every probe of the data plane must answer within the timeout. Probes run in parallel, so a hung
 * dependency costs one timeout, not one per probe. Failure reasons are logged, never sent (they may name hosts).
 */

import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type { FastifyBaseLogger } from 'fastify';
import type { Probe } from '../../../data/dataPlane.ts';

/** Outcome of one probe. */
export type CheckState = 'ok' | 'failed' | 'timeout';

/** Outcome of all probes. */
export interface ReadinessReport {
  /** True when every check is ok. */
  readonly ready: boolean;
  /** One state per probe, by probe name. */
  readonly checks: Readonly<Record<string, CheckState>>;
}

/** Default time each probe may take. */
export const PROBE_TIMEOUT_MS = 2_000;

/** Runs every probe (in parallel) with a timeout each. */
export async function checkReadiness(
  probes: readonly Probe[],
  timeoutMs: number,
  log?: FastifyBaseLogger,
): Promise<ReadinessReport> {
  const policy = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  const states = await Promise.all(
    probes.map(async (probe): Promise<[string, CheckState]> => {
      try {
        await policy.execute(() => probe.check());
        return [probe.name, 'ok'];
      } catch (error) {
        const state: CheckState = error instanceof TaskCancelledError ? 'timeout' : 'failed';
        log?.warn({ err: error, probe: probe.name, state }, 'readiness probe failed');
        return [probe.name, state];
      }
    }),
  );
  return { ready: states.every(([, s]) => s === 'ok'), checks: Object.fromEntries(states) };
}
