/**
 * Creates or changes a tenant's content type. Changes are additive by default (schemaChange.ts); a breaking change
 * is refused with GALLEY_CONTENT_TYPE_BREAKING_CHANGE naming each affected field, unless `migration: 'explicit'`
 * is given. Existing entries are never rewritten: they stay readable and are revalidated only where a later
 * write touches them. Records `content_type.defined`; defining an identical type again changes nothing.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { type FieldError, GalleyError } from '../../experience/errors/errors.ts';
import { canonicalJson } from '../entries/canonical.ts';
import { contentDb } from '../entries/tables.ts';
import { actorOf } from '../entries/types.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { findContentTypeIn } from './contentTypeStore.ts';
import { normaliseDefinition } from './definition.ts';
import { breakingChanges } from './schemaChange.ts';
import type { ContentType, ContentTypeDefinition, ContentTypeMigration } from './types.ts';

/** Input of defineContentType. */
export interface ContentTypeDefinerProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join (a seeder composing several writes); defaults to a transaction of its own. */
  readonly db?: Kysely<Database>;
  /** Who defines it (must be owner or admin of the tenant). */
  readonly actor: Principal;
  /** The tenant the type belongs to. */
  readonly tenantId: string;
  /** The full definition (not a patch): fields absent here are removed. */
  readonly definition: ContentTypeDefinition;
  /** `explicit` accepts breaking changes; default `additive`. */
  readonly migration?: ContentTypeMigration;
}

/** What defineContentType did. */
export interface ContentTypeDefinerResult {
  readonly contentType: ContentType;
  /** True when this call created the type. */
  readonly created: boolean;
  /** False when the definition was identical to the stored one (nothing recorded). */
  readonly changed: boolean;
  /** Breaking parts accepted under `migration: 'explicit'` (empty for additive changes). */
  readonly breaking: readonly FieldError[];
}

/** Creates or updates the type; see the module comment for the rules. */
export async function defineContentType(props: ContentTypeDefinerProps): Promise<ContentTypeDefinerResult> {
  authorize('contentType.define', props.actor, { tenantId: props.tenantId });
  const def = normaliseDefinition(props.definition);
  const fieldsJson = canonicalJson(def.fields);
  return inTransaction(props.db ?? props.store.db, async (trx) => {
    const db = contentDb(trx);
    if (props.store.dialect === 'postgres') {
      // Serialise concurrent definitions of one type (the row may not exist yet, so lock the name instead).
      await sql`select pg_advisory_xact_lock(hashtextextended(${`galley.content_type:${props.tenantId}:${def.name}`}, 0))`.execute(
        trx,
      );
    }
    const existing = await findContentTypeIn(trx, props.tenantId, def.name);
    if (
      existing !== undefined &&
      canonicalJson(existing.fields) === fieldsJson &&
      existing.label === def.label &&
      existing.titleField === def.titleField
    ) {
      return { contentType: existing, created: false, changed: false, breaking: [] };
    }
    const breaking = existing === undefined ? [] : breakingChanges(existing.fields, def.fields);
    if (breaking.length > 0 && props.migration !== 'explicit') {
      throw new GalleyError(
        'GALLEY_CONTENT_TYPE_BREAKING_CHANGE',
        `changing "${def.name}" this way could invalidate existing entries; resend with migration "explicit" to apply it`,
        { errors: breaking },
      );
    }
    const now = new Date().toISOString();
    const row = {
      tenant_id: props.tenantId,
      name: def.name,
      label: def.label,
      fields: fieldsJson,
      title_field: def.titleField,
      version: (existing?.version ?? 0) + 1,
      created_at: existing?.createdAt ?? now,
      updated_at: now,
    };
    if (existing === undefined) await db.insertInto('content_types').values(row).execute();
    else {
      await db
        .updateTable('content_types')
        .set({
          label: row.label,
          fields: row.fields,
          title_field: row.title_field,
          version: row.version,
          updated_at: now,
        })
        .where('tenant_id', '=', props.tenantId)
        .where('name', '=', def.name)
        .execute();
    }
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'content_type.defined',
      subjectId: def.name,
      actor: actorOf(props.actor),
      data: {
        actor: actorOf(props.actor),
        name: def.name,
        version: row.version,
        label: def.label,
        fields: def.fields,
        titleField: def.titleField,
        migration: props.migration ?? 'additive',
        breaking,
      },
    });
    const contentType: ContentType = Object.freeze({
      tenantId: props.tenantId,
      name: def.name,
      label: def.label,
      fields: def.fields,
      titleField: def.titleField,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: now,
    });
    return { contentType, created: existing === undefined, changed: true, breaking };
  });
}
