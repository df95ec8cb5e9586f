/**
 * Public types of content types: a tenant's named schema of fields that its entries are validated against.
 *
 * Field kinds: `text` (one line or short prose), `richtext` (Markdown), `number`, `boolean`, `date` (ISO-8601
 * date or date-time), `reference` (the id of another entry of the same tenant), `tags` (list of strings) and
 * `slug` (URL segment, unique per type among live entries; at most one per type).
 */

/** Every field kind. */
export const FIELD_KINDS = ['text', 'richtext', 'number', 'boolean', 'date', 'reference', 'tags', 'slug'] as const;
/** One field kind. */
export type FieldKind = (typeof FIELD_KINDS)[number];

/** One field of a content type. Options not listed for a kind are refused. */
export interface FieldDefinition {
  /** Field name: a letter, then letters, digits or `_` (≤ 64). The key in `entry.fields`. */
  readonly name: string;
  readonly kind: FieldKind;
  /** A value must be present (and non-empty for strings and lists). Default false. */
  readonly required?: boolean;
  /** Human label for editors. */
  readonly label?: string;
  /** Longest string in characters (text, richtext, slug) or longest tag (tags). */
  readonly maxLength?: number;
  /** Smallest / largest value (number). */
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only (number). */
  readonly integer?: boolean;
  /** Most tags in the list (tags). */
  readonly maxItems?: number;
  /** Allowed types of the referenced entry (reference); any type when absent. */
  readonly referenceTypes?: readonly string[];
}

/** A content type as stored and returned. */
export interface ContentType {
  readonly tenantId: string;
  /** Type name: lowercase letter, then lowercase letters, digits or `_` (≤ 64), e.g. `article`. */
  readonly name: string;
  readonly label: string;
  /** Fields in editor order. */
  readonly fields: readonly FieldDefinition[];
  /** The text field shown as the entry's title (and weighted in search); null when the type has none. */
  readonly titleField: string | null;
  /** +1 per accepted definition change, from 1. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Input definition of defineContentType. */
export interface ContentTypeDefinition {
  readonly name: string;
  /** Defaults to the name. */
  readonly label?: string;
  readonly fields: readonly FieldDefinition[];
  /** Defaults to the field named `title` when it is text, else the first text field. */
  readonly titleField?: string;
}

/**
 * How a changed definition is applied. `additive` (default) accepts only changes every existing entry still
 * satisfies (new optional fields, relaxed limits, labels); `explicit` accepts any change: existing entries keep
 * every stored value (values of removed fields stay in the stored JSON, unvalidated) and are validated against
 * the new definition only for the fields a later write touches, plus required fields.
 */
export type ContentTypeMigration = 'additive' | 'explicit';

/** Default longest string per kind when `maxLength` is not given. */
export const DEFAULT_MAX_LENGTH: Readonly<Record<'text' | 'richtext' | 'slug' | 'tags', number>> = Object.freeze({
  text: 1_000,
  richtext: 200_000,
  slug: 200,
  tags: 64,
});
/** Default most tags per tags field. */
export const DEFAULT_MAX_ITEMS = 50;
