/**
 * The immutable, in-process flag snapshot and its evaluation. A snapshot is built once per change (every rule's
 * merged value and every result object precomputed and frozen), so evaluating a flag allocates nothing and does no
 * I/O: a map lookup, a walk over the flag's rules and, for a percentage rule, one SHA-256 of the user id.
 */
import { hash } from 'node:crypto';
import {
  type AiFlagValue,
  DEFAULT_CANDIDATE_LABEL,
  DEFAULT_SHADOW_SAMPLE_RATE,
  type FlagDefinition,
  type FlagRule,
} from './definition.ts';
import type { FlagRecord } from './flagQueries.ts';

/** Who is asking: OpenFeature's `targetingKey` (the user id), the tenant and the caller's membership role. */
export interface FlagTargeting {
  readonly userId?: string;
  readonly tenantId?: string;
  readonly role?: string;
}

/** Why a value was chosen, in OpenFeature's standard reasons. */
export type FlagResolutionReason = 'TARGETING_MATCH' | 'DEFAULT' | 'STATIC';

/**
 * The outcome of one evaluation. `variant` is the matching rule's id, or `default`; `reason` is TARGETING_MATCH
 * (a rule matched), DEFAULT (no rule matched a set flag) or STATIC (the flag was never set: built-in definition).
 */
export interface FlagResolution {
  readonly value: AiFlagValue;
  readonly variant: string;
  readonly reason: FlagResolutionReason;
}

interface CompiledRule {
  readonly tenants: ReadonlySet<string> | undefined;
  readonly roles: ReadonlySet<string> | undefined;
  readonly percentage: number | undefined;
  readonly resolution: FlagResolution;
}

/** One flag as the snapshot holds it: its record and its precompiled rules. */
export interface CompiledFlag {
  readonly record: FlagRecord;
  readonly rules: readonly CompiledRule[];
  readonly fallthrough: FlagResolution;
}

/** Every AI task flag at one version. `version` 0 means no flag has ever been set. */
export interface FlagSnapshot {
  readonly version: number;
  readonly flags: ReadonlyMap<string, CompiledFlag>;
}

/** Builds the snapshot of `records` (one per task, stored or built-in) at `version`. */
export function buildSnapshot(version: number, records: readonly FlagRecord[]): FlagSnapshot {
  const flags = new Map<string, CompiledFlag>();
  for (const record of records) flags.set(record.key, compileFlag(record));
  return Object.freeze({ version, flags });
}

/** Evaluates flag `key` for `who`; undefined when the snapshot has no such flag. Pure and synchronous. */
export function resolveFlag(snapshot: FlagSnapshot, key: string, who: FlagTargeting): FlagResolution | undefined {
  const flag = snapshot.flags.get(key);
  if (flag === undefined) return undefined;
  for (const rule of flag.rules) {
    if (rule.tenants !== undefined && (who.tenantId === undefined || !rule.tenants.has(who.tenantId))) continue;
    if (rule.roles !== undefined && (who.role === undefined || !rule.roles.has(who.role))) continue;
    if (rule.percentage !== undefined) {
      if (who.userId === undefined || who.userId === '') continue;
      if (!(percentageBucket(key, who.userId) < rule.percentage)) continue;
    }
    return rule.resolution;
  }
  return flag.fallthrough;
}

/**
 * The user's bucket for flag `key`, in [0, 100): the first 32 bits of sha256(key + ':' + userId) scaled. A rule
 * with percentage p matches buckets below p, so a user stays in as p grows, and each flag splits users
 * independently of the others.
 */
export function percentageBucket(key: string, userId: string): number {
  // One-shot hash: about half the cost of createHash().update().digest() for inputs this small.
  const digest = hash('sha256', `${key}:${userId}`, 'buffer');
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/** Fills the shadow settings so callers never need to know their defaults. */
export function completeValue(value: AiFlagValue): AiFlagValue {
  return Object.freeze({
    mode: value.mode,
    label: value.label,
    model: value.model,
    fallbackModel: value.fallbackModel,
    candidateLabel: value.candidateLabel ?? DEFAULT_CANDIDATE_LABEL,
    shadowSampleRate: value.shadowSampleRate ?? DEFAULT_SHADOW_SAMPLE_RATE,
  });
}

function compileFlag(record: FlagRecord): CompiledFlag {
  const definition: FlagDefinition = record.definition;
  const fallthrough: FlagResolution = Object.freeze({
    value: completeValue(definition.default),
    variant: 'default',
    reason: record.builtIn ? 'STATIC' : 'DEFAULT',
  });
  return Object.freeze({
    record,
    rules: Object.freeze(definition.rules.map((rule) => compileRule(definition, rule))),
    fallthrough,
  });
}

function compileRule(definition: FlagDefinition, rule: FlagRule): CompiledRule {
  return Object.freeze({
    tenants: rule.tenants === undefined ? undefined : new Set(rule.tenants),
    roles: rule.roles === undefined ? undefined : new Set<string>(rule.roles),
    percentage: rule.percentage,
    resolution: Object.freeze({
      value: completeValue({ ...definition.default, ...rule.value }),
      variant: rule.id,
      reason: 'TARGETING_MATCH',
    }),
  });
}
