/** Pure evaluation over a snapshot: rule order, tenant/role/percentage targeting, stickiness and distribution. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { builtInFlagDefinition, type FlagDefinition } from './definition.ts';
import { validateFlagDefinition } from './definitionValidator.ts';
import type { FlagRecord } from './flagQueries.ts';
import { buildSnapshot, percentageBucket, resolveFlag } from './snapshot.ts';

function stored(definition: unknown, version = 1): FlagRecord {
  return {
    key: 'ai.summary',
    definition: validateFlagDefinition(definition),
    version,
    builtIn: false,
    updatedAt: new Date().toISOString(),
    updatedBy: 'system',
  };
}

function builtIn(definition: FlagDefinition): FlagRecord {
  return { key: definition.key, definition, version: 0, builtIn: true, updatedAt: null, updatedBy: null };
}

const BASE = { mode: 'on', label: 'production', model: 'm-default', fallbackModel: 'galley-local-1' } as const;

function summaryWithRules(rules: unknown[]) {
  return buildSnapshot(1, [stored({ key: 'ai.summary', default: BASE, rules })]);
}

describe('flag snapshot evaluation', () => {
  test('a built-in flag resolves STATIC with the shadow settings filled in; unknown keys are undefined', () => {
    const snapshot = buildSnapshot(0, [builtIn(builtInFlagDefinition('tags', 'm-x'))]);
    const resolution = resolveFlag(snapshot, 'ai.tags', {});
    assert.deepEqual(resolution, {
      value: {
        mode: 'on',
        label: 'production',
        model: 'm-x',
        fallbackModel: 'galley-local-1',
        candidateLabel: 'candidate',
        shadowSampleRate: 0.1,
      },
      variant: 'default',
      reason: 'STATIC',
    });
    assert.ok(Object.isFrozen(resolution?.value));
    assert.equal(resolveFlag(snapshot, 'ai.summary', {}), undefined);
  });

  test('tenant and role rules: all conditions must hold, first match wins, rule values merge over the default', () => {
    const snapshot = summaryWithRules([
      { id: 'a-editors', tenants: ['tenant-a'], roles: ['editor'], value: { mode: 'shadow', candidateLabel: 'v2' } },
      { id: 'tenant-a', tenants: ['tenant-a', 'tenant-c'], value: { mode: 'off' } },
      { id: 'viewers', roles: ['viewer'], value: { model: 'm-small' } },
    ]);
    const at = (tenantId: string | undefined, role: string | undefined) =>
      resolveFlag(snapshot, 'ai.summary', { tenantId, role, userId: 'u1' });
    assert.equal(at('tenant-a', 'editor')?.variant, 'a-editors');
    assert.deepEqual(at('tenant-a', 'editor')?.value, {
      ...BASE,
      mode: 'shadow',
      candidateLabel: 'v2',
      shadowSampleRate: 0.1,
    });
    assert.equal(at('tenant-a', 'editor')?.reason, 'TARGETING_MATCH');
    assert.equal(at('tenant-a', 'owner')?.variant, 'tenant-a');
    assert.equal(at('tenant-c', 'viewer')?.variant, 'tenant-a');
    assert.equal(at('tenant-b', 'viewer')?.variant, 'viewers');
    assert.equal(at('tenant-b', 'viewer')?.value.model, 'm-small');
    assert.equal(at('tenant-b', 'viewer')?.value.mode, 'on');
    assert.deepEqual([at('tenant-b', 'owner')?.variant, at('tenant-b', 'owner')?.reason], ['default', 'DEFAULT']);
    // Missing attributes never match a rule that needs them.
    assert.equal(at(undefined, 'editor')?.variant, 'default');
    assert.equal(at('tenant-b', undefined)?.variant, 'default');
  });

  test('percentage: sticky per user, near the share of 10k users, growing keeps users in, no user id = no match', () => {
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const inRollout = (percentage: number) => {
      const snapshot = summaryWithRules([{ id: 'rollout', percentage, value: { model: 'm-new' } }]);
      return new Set(users.filter((userId) => resolveFlag(snapshot, 'ai.summary', { userId })?.variant === 'rollout'));
    };
    const ten = inRollout(10);
    const thirty = inRollout(30);
    // Binomial(10 000, p): 5 standard deviations is ±150 at 10 %, ±229 at 30 %.
    assert.ok(Math.abs(ten.size - 1000) < 150, `10 % rollout took ${ten.size} of 10 000`);
    assert.ok(Math.abs(thirty.size - 3000) < 229, `30 % rollout took ${thirty.size} of 10 000`);
    for (const userId of ten) assert.ok(thirty.has(userId), `${userId} left the rollout when it grew`);
    assert.deepEqual(inRollout(10), ten, 'the same users are chosen again');
    assert.equal(inRollout(0).size, 0);
    assert.equal(inRollout(100).size, users.length);
    const snapshot = summaryWithRules([{ id: 'rollout', percentage: 100, value: { model: 'm-new' } }]);
    assert.equal(resolveFlag(snapshot, 'ai.summary', { tenantId: 't' })?.variant, 'default');
  });

  test('buckets are deterministic, in [0, 100), and independent per flag', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (userId) => {
        const bucket = percentageBucket('ai.summary', userId);
        return bucket >= 0 && bucket < 100 && bucket === percentageBucket('ai.summary', userId);
      }),
    );
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const low = (key: string) => users.filter((u) => percentageBucket(key, u) < 50);
    const overlap = low('ai.summary').filter((u) => percentageBucket('ai.tags', u) < 50).length;
    // Independent halves overlap on about a quarter of the users (500 ± 5σ ≈ ±97).
    assert.ok(Math.abs(overlap - 500) < 97, `overlap ${overlap}`);
  });
});
