/**
 * Test support for the randomized history: operation descriptors (fast-check arbitraries), a model of what each
 * operation must do, and a runner that drives the real use cases and checks every outcome against the model.
 * Used by rebuild.test.ts; lives here (not under test/) because it is specific to the content projections.
 */
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { Queue } from '../../data/queue/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { canonicalJson } from '../entries/canonical.ts';
import { createEntry } from '../entries/entryCreator.ts';
import { deleteEntry } from '../entries/entryDeleter.ts';
import { patchEntry } from '../entries/entryPatcher.ts';
import { publishEntry } from '../entries/entryPublisher.ts';
import { schedulePublish } from '../entries/entryPublishScheduler.ts';
import { restoreEntry } from '../entries/entryRestorer.ts';
import { unpublishEntry } from '../entries/entryUnpublisher.ts';
import type { Entry, EntryStatus } from '../entries/types.ts';

/** One generated operation; `pick` chooses among the tenant's entries so far (deleted ones included). */
export type Op =
  | { kind: 'create'; tenant: number; fields: Record<string, unknown> }
  | { kind: 'patch'; tenant: number; pick: number; stale: boolean; fields: Record<string, unknown> }
  | { kind: 'publish' | 'unpublish' | 'delete'; tenant: number; pick: number; stale: boolean }
  | { kind: 'restore'; tenant: number; pick: number; stale: boolean; revision: number }
  | { kind: 'schedule'; tenant: number; pick: number; minutes: number | null };

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'news', 'sport', 'tech', 'art');
// A pool small enough that slugs collide now and then.
const slug = fc.noBias(fc.nat({ max: 5_000 })).map((n) => `s-${n}`);
const tags = fc.uniqueArray(word, { maxLength: 3 });
const title = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));

/** Arbitrary operations over `tenants` tenants. */
export function opArbitrary(tenants: number): fc.Arbitrary<Op> {
  const tenant = fc.nat({ max: tenants - 1 });
  const pick = fc.nat({ max: 10_000 });
  const stale = fc.boolean().map((b) => b && Math.random() < 0.3);
  const createFields = fc.record({ title, body: title, tags, slug }, { requiredKeys: ['title'] });
  const patchFields = fc.record(
    { title, body: fc.option(title), tags: fc.option(tags), slug: fc.option(slug) },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 20, arbitrary: fc.record({ kind: fc.constant('create' as const), tenant, fields: createFields }) },
    {
      weight: 35,
      arbitrary: fc.record({ kind: fc.constant('patch' as const), tenant, pick, stale, fields: patchFields }),
    },
    { weight: 12, arbitrary: fc.record({ kind: fc.constant('publish' as const), tenant, pick, stale }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('unpublish' as const), tenant, pick, stale }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), tenant, pick, stale }) },
    {
      weight: 9,
      arbitrary: fc.record({
        kind: fc.constant('restore' as const),
        tenant,
        pick,
        stale,
        revision: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('schedule' as const),
        tenant,
        pick,
        minutes: fc.option(fc.integer({ min: 60, max: 600 })),
      }),
    },
  );
}

/** What the model knows about one entry. */
interface Modelled {
  id: string;
  version: number;
  status: EntryStatus;
  deleted: boolean;
  scheduled: string | null;
  /** Fields per version (index = version − 1). */
  history: Record<string, unknown>[];
}

/** Outcome counts of a run. */
export interface HistoryStats {
  ok: number;
  noop: number;
  conflict: number;
  notFound: number;
  slugTaken: number;
}

function merged(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

function same(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function fail(message: string): never {
  throw new Error(`history model: ${message}`);
}

/** Drives operations of one tenant through the use cases, checking each outcome against the model. */
export class TenantHistory {
  readonly entries: Modelled[] = [];
  readonly stats: HistoryStats = { ok: 0, noop: 0, conflict: 0, notFound: 0, slugTaken: 0 };
  readonly #store: Store;
  readonly #queue: Queue;
  readonly #actor: Principal;
  readonly #tenantId: string;

  constructor(store: Store, queue: Queue, actor: Principal) {
    this.#store = store;
    this.#queue = queue;
    this.#actor = actor;
    this.#tenantId = actor.tenantId;
  }

  #slugHolder(slug: unknown, except?: string): Modelled | undefined {
    if (typeof slug !== 'string') return undefined;
    return this.entries.find((e) => !e.deleted && e.id !== except && e.history[e.version - 1]?.slug === slug);
  }

  /** Runs `op` (joining `db` when given) and checks it; throws when the system and the model disagree. */
  async run(op: Op, db: Kysely<Database> | undefined): Promise<void> {
    const base = { store: this.#store, actor: this.#actor, tenantId: this.#tenantId, ...(db ? { db } : {}) };
    if (op.kind === 'create') {
      const expectTaken = this.#slugHolder(op.fields.slug) !== undefined;
      const outcome = await settle(createEntry({ ...base, type: 'article', fields: op.fields }));
      if (expectTaken) return this.#expectError(outcome, 'GALLEY_ENTRY_SLUG_TAKEN', 'slugTaken');
      const entry = this.#expectEntry(outcome, 1, 'draft');
      this.entries.push({
        id: entry.id,
        version: 1,
        status: 'draft',
        deleted: false,
        scheduled: null,
        history: [op.fields],
      });
      return;
    }
    // One operation in ten may hit a deleted entry; the others pick among live ones.
    const pool = op.pick % 10 === 0 ? this.entries : this.entries.filter((e) => !e.deleted);
    const target = pool.length === 0 ? undefined : pool[Math.floor(op.pick / 10) % pool.length];
    if (target === undefined) return;
    const current = target.history[target.version - 1] ?? {};
    const stale = 'stale' in op && op.stale;
    const expectedVersion = stale ? (target.version > 1 ? target.version - 1 : target.version + 1) : target.version;
    const ifMatch = stale || op.pick % 2 === 0 ? { expectedVersion } : {};
    const id = target.id;
    let outcome: Outcome;
    switch (op.kind) {
      case 'patch':
        outcome = await settle(patchEntry({ ...base, id, fields: op.fields, expectedVersion }));
        break;
      case 'publish':
        outcome = await settle(publishEntry({ ...base, id, ...ifMatch }));
        break;
      case 'unpublish':
        outcome = await settle(unpublishEntry({ ...base, id, ...ifMatch }));
        break;
      case 'delete':
        outcome = await settle(deleteEntry({ ...base, id, expectedVersion }).then(() => undefined));
        break;
      case 'restore': {
        const revision = 1 + Math.floor(op.revision * target.version);
        outcome = await settle(restoreEntry({ ...base, id, revision, ...ifMatch }));
        break;
      }
      case 'schedule': {
        const at = op.minutes === null ? null : new Date(Date.UTC(2100, 0, 1) + op.minutes * 60_000).toISOString();
        const { db: _joined, ...plain } = base;
        outcome = await settle(schedulePublish({ ...plain, queue: this.#queue, id, at }).then((r) => r.entry));
        break;
      }
    }
    if (target.deleted) return this.#expectError(outcome, 'GALLEY_NOT_FOUND', 'notFound');
    if (stale) return this.#expectError(outcome, 'GALLEY_ENTRY_VERSION_CONFLICT', 'conflict');
    this.#check(op, target, current, outcome);
  }

  #check(op: Exclude<Op, { kind: 'create' }>, target: Modelled, current: Record<string, unknown>, outcome: Outcome) {
    const bump = (status: EntryStatus, fields: Record<string, unknown>, scheduled: string | null) => {
      target.version++;
      target.status = status;
      target.scheduled = scheduled;
      target.history.push(fields);
      this.#expectEntry(outcome, target.version, status);
    };
    const edited: EntryStatus = target.status === 'draft' ? 'draft' : 'changed';
    switch (op.kind) {
      case 'patch': {
        const next = merged(current, op.fields);
        if (same(next, current)) return this.#expectNoop(outcome, target);
        if (next.slug !== current.slug && this.#slugHolder(next.slug, target.id)) {
          return this.#expectError(outcome, 'GALLEY_ENTRY_SLUG_TAKEN', 'slugTaken');
        }
        return bump(edited, next, target.scheduled);
      }
      case 'restore': {
        const revision = 1 + Math.floor(op.revision * target.version);
        const fields = target.history[revision - 1] ?? fail('revision out of range');
        if (same(fields, current)) return this.#expectNoop(outcome, target);
        if (fields.slug !== current.slug && this.#slugHolder(fields.slug, target.id)) {
          return this.#expectError(outcome, 'GALLEY_ENTRY_SLUG_TAKEN', 'slugTaken');
        }
        return bump(edited, fields, target.scheduled);
      }
      case 'publish':
        if (target.status === 'published' && target.scheduled === null) return this.#expectNoop(outcome, target);
        return bump('published', current, null);
      case 'unpublish':
        if (target.status === 'draft' && target.scheduled === null) return this.#expectNoop(outcome, target);
        return bump('draft', current, null);
      case 'delete':
        if (outcome.error !== undefined) fail(`delete failed: ${String(outcome.error)}`);
        target.version++;
        target.deleted = true;
        target.history.push(current);
        this.stats.ok++;
        return;
      case 'schedule': {
        const at = op.minutes === null ? null : new Date(Date.UTC(2100, 0, 1) + op.minutes * 60_000).toISOString();
        if (at === target.scheduled) return this.#expectNoop(outcome, target);
        return bump(target.status, current, at);
      }
    }
  }

  #expectEntry(outcome: Outcome, version: number, status: EntryStatus): Entry {
    if (outcome.error !== undefined) fail(`expected success, got ${String(outcome.error)}`);
    const entry = outcome.value;
    if (entry === undefined || entry.version !== version || entry.status !== status) {
      fail(`expected v${version} ${status}, got v${entry?.version} ${entry?.status}`);
    }
    this.stats.ok++;
    return entry;
  }

  #expectNoop(outcome: Outcome, target: Modelled): void {
    if (outcome.error !== undefined) fail(`expected a no-op, got ${String(outcome.error)}`);
    if (outcome.value?.version !== target.version) fail(`no-op changed version to ${outcome.value?.version}`);
    this.stats.noop++;
  }

  #expectError(outcome: Outcome, code: string, stat: keyof HistoryStats): void {
    if (!(outcome.error instanceof GalleyError) || outcome.error.code !== code) {
      fail(`expected ${code}, got ${outcome.error === undefined ? 'success' : String(outcome.error)}`);
    }
    this.stats[stat]++;
  }
}

interface Outcome {
  readonly value?: Entry | undefined;
  readonly error?: unknown;
}

async function settle(promise: Promise<Entry | undefined>): Promise<Outcome> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}
