/**
 * Validates entry field values against a content type. Unknown fields are rejected (nothing is silently dropped);
 * every problem is reported at once as GALLEY_VALIDATION_FAILED with `errors: [{ field: '/fields/<name>', … }]`.
 *
 * On a patch only the fields it sends are validated, plus the presence of required fields in the result: values
 * stored before an explicit type migration (removed or retyped fields) stay readable and are carried along until
 * a write touches them.
 */
import { type FieldError, GalleyError } from '../../experience/errors/errors.ts';
import { canonicalFields, canonicalJson } from '../entries/canonical.ts';
import type { EntryDerived, EntryFields } from '../entries/types.ts';
import { type ContentType, DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, type FieldDefinition } from './types.ts';

/** URL segments: lowercase letters and digits in hyphen-separated runs. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const MAX_REFERENCE_LENGTH = 100;
// C0 controls other than tab, newline and carriage return never belong in content.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** A reference value whose target must be checked against the store. */
export interface ReferenceToCheck {
  /** JSON pointer of the field, `/fields/<name>`. */
  readonly field: string;
  readonly id: string;
  /** Allowed types of the target; any when undefined. */
  readonly types: readonly string[] | undefined;
}

/** The outcome of a successful check. */
export interface CheckedFields {
  /** Every field value after the write (canonical). */
  readonly fields: EntryFields;
  /** Values this write sets (canonical). */
  readonly set: EntryFields;
  /** Fields this write removes. */
  readonly cleared: readonly string[];
  /** Fields whose value differs from before (sorted). */
  readonly changed: readonly string[];
  /** References the caller must prove exist in the tenant. */
  readonly references: readonly ReferenceToCheck[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

function checkString(def: FieldDefinition, value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const limit = def.maxLength ?? DEFAULT_MAX_LENGTH[def.kind as 'text' | 'richtext' | 'slug'];
  if (value.length > limit) return `must be at most ${limit} characters`;
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (def.kind === 'slug' && value !== '' && !SLUG_PATTERN.test(value)) {
    return 'must be lowercase letters and digits separated by single hyphens';
  }
  return undefined;
}

function checkTags(def: FieldDefinition, value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of strings';
  const maxItems = def.maxItems ?? DEFAULT_MAX_ITEMS;
  if (value.length > maxItems) return `must hold at most ${maxItems} tags`;
  const limit = def.maxLength ?? DEFAULT_MAX_LENGTH.tags;
  const seen = new Set<string>();
  for (const tag of value) {
    if (typeof tag !== 'string' || tag.trim() === '' || tag !== tag.trim()) {
      return 'tags must be non-empty strings without surrounding spaces';
    }
    if (tag.length > limit) return `tags must be at most ${limit} characters`;
    if (CONTROL.test(tag)) return 'tags must not contain control characters';
    if (seen.has(tag)) return `lists "${tag}" twice`;
    seen.add(tag);
  }
  return undefined;
}

function checkNumber(def: FieldDefinition, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
  if (def.integer === true && !Number.isInteger(value)) return 'must be a whole number';
  if (def.min !== undefined && value < def.min) return `must be at least ${def.min}`;
  if (def.max !== undefined && value > def.max) return `must be at most ${def.max}`;
  return undefined;
}

/** The problem with one value for `def`, or undefined when it is valid. */
function checkValue(def: FieldDefinition, value: unknown): string | undefined {
  switch (def.kind) {
    case 'text':
    case 'richtext':
    case 'slug':
      return checkString(def, value);
    case 'number':
      return checkNumber(def, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && validDate(value) ? undefined : 'must be an ISO-8601 date or date-time';
    case 'reference':
      return typeof value === 'string' && value.length > 0 && value.length <= MAX_REFERENCE_LENGTH
        ? undefined
        : 'must be the id of an entry';
    case 'tags':
      return checkTags(def, value);
  }
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * Checks `input` (the fields of a create, or of a patch when `current` is given) against `type`; throws
 * GALLEY_VALIDATION_FAILED listing every problem. A null value removes the field (refused for required ones).
 */
export function checkEntryFields(type: ContentType, input: unknown, current?: EntryFields): CheckedFields {
  if (!isRecord(input)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'fields must be an object', {
      errors: [{ field: '/fields', message: 'must be an object' }],
    });
  }
  const byName = new Map(type.fields.map((f) => [f.name, f]));
  const errors: FieldError[] = [];
  const set: Record<string, unknown> = {};
  const cleared: string[] = [];
  const references: ReferenceToCheck[] = [];
  for (const [name, value] of Object.entries(input)) {
    const def = byName.get(name);
    const pointer = `/fields/${name}`;
    if (def === undefined) {
      errors.push({ field: pointer, message: `is not a field of type "${type.name}"` });
    } else if (value === null) {
      cleared.push(name);
    } else {
      const problem = checkValue(def, value);
      if (problem !== undefined) errors.push({ field: pointer, message: problem });
      else set[name] = value;
      if (problem === undefined && def.kind === 'reference' && typeof value === 'string') {
        references.push({ field: pointer, id: value, types: def.referenceTypes });
      }
    }
  }
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const name of cleared) delete merged[name];
  Object.assign(merged, set);
  for (const def of type.fields) {
    const reported = errors.some((e) => e.field === `/fields/${def.name}`);
    if (def.required === true && !reported && isEmpty(merged[def.name])) {
      errors.push({ field: `/fields/${def.name}`, message: 'is required' });
    }
  }
  if (errors.length > 0) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `fields do not match content type "${type.name}"`, { errors });
  }
  const fields = canonicalFields(merged);
  const before = current ?? {};
  const changed = [...new Set([...Object.keys(before), ...Object.keys(fields)])]
    .filter((name) => canonicalJson(before[name]) !== canonicalJson(fields[name]))
    .sort();
  return {
    fields,
    set: canonicalFields(set),
    cleared: [...new Set(cleared)].filter((name) => name in before).sort(),
    changed,
    references,
  };
}

/** Slug, title and tags of `fields` under `type` (what events carry so replay never needs the type). */
export function deriveEntryValues(type: ContentType, fields: EntryFields): EntryDerived {
  const slugField = type.fields.find((f) => f.kind === 'slug');
  const slug = slugField === undefined ? undefined : fields[slugField.name];
  const title = type.titleField === null ? undefined : fields[type.titleField];
  const tags = new Set<string>();
  for (const f of type.fields) {
    const value = fields[f.name];
    if (f.kind === 'tags' && Array.isArray(value)) for (const t of value) if (typeof t === 'string') tags.add(t);
  }
  return {
    slug: typeof slug === 'string' && slug !== '' ? slug : null,
    title: typeof title === 'string' ? title : null,
    tags: [...tags].sort(),
  };
}

/** The searchable body of `fields`: its text and richtext values other than the title, in field order. */
export function searchBodyOf(type: ContentType, fields: EntryFields): string {
  const parts: string[] = [];
  for (const f of type.fields) {
    const value = fields[f.name];
    if ((f.kind === 'text' || f.kind === 'richtext') && f.name !== type.titleField && typeof value === 'string') {
      parts.push(value);
    }
  }
  return parts.join('\n\n');
}
