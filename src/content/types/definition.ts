/**
 * Checks and normalises a content type definition. The normal form keeps only meaningful options (no `required:
 * false`, no empty labels), in a fixed key order, so stored definitions compare by their JSON.
 */
import { type FieldError, GalleyError } from '../../experience/errors/errors.ts';
import { type ContentTypeDefinition, FIELD_KINDS, type FieldDefinition, type FieldKind } from './types.ts';

/** Content type names: lowercase, URL- and identifier-safe. */
export const TYPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** Field names: usable as JSON keys and JSON pointer segments without escaping. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Most fields per type. */
export const MAX_FIELDS = 100;
const MAX_LABEL = 200;
const MAX_STRING_LIMIT = 1_000_000;
const MAX_ITEMS_LIMIT = 1_000;

/** Options each kind accepts besides name, kind, required and label. */
const KIND_OPTIONS: Readonly<Record<FieldKind, readonly string[]>> = {
  text: ['maxLength'],
  richtext: ['maxLength'],
  slug: ['maxLength'],
  number: ['min', 'max', 'integer'],
  boolean: [],
  date: [],
  reference: ['referenceTypes'],
  tags: ['maxLength', 'maxItems'],
};
const COMMON_OPTIONS = ['name', 'kind', 'required', 'label'];

/** A normalised, validated definition. */
export interface NormalisedDefinition {
  readonly name: string;
  readonly label: string;
  readonly fields: readonly FieldDefinition[];
  readonly titleField: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function positiveInteger(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= limit;
}

function checkLabel(value: unknown, at: string, errors: FieldError[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_LABEL) {
    errors.push({ field: at, message: `must be a string of at most ${MAX_LABEL} characters` });
    return undefined;
  }
  return value.trim() === '' ? undefined : value;
}

/** Checks one field's options for its kind; returns the normal form. */
function normaliseField(raw: unknown, at: string, errors: FieldError[]): FieldDefinition | undefined {
  if (!isRecord(raw)) {
    errors.push({ field: at, message: 'must be an object' });
    return undefined;
  }
  const before = errors.length;
  const name = raw.name;
  if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
    errors.push({ field: `${at}/name`, message: 'must be a letter followed by letters, digits or _ (≤ 64)' });
  }
  const kind = raw.kind;
  if (typeof kind !== 'string' || !(FIELD_KINDS as readonly string[]).includes(kind)) {
    errors.push({ field: `${at}/kind`, message: `must be one of ${FIELD_KINDS.join(', ')}` });
    return undefined;
  }
  const k = kind as FieldKind;
  const allowed = new Set([...COMMON_OPTIONS, ...KIND_OPTIONS[k]]);
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) errors.push({ field: `${at}/${key}`, message: `is not an option of ${k} fields` });
  }
  if (raw.required !== undefined && typeof raw.required !== 'boolean') {
    errors.push({ field: `${at}/required`, message: 'must be a boolean' });
  }
  if (raw.maxLength !== undefined && !positiveInteger(raw.maxLength, MAX_STRING_LIMIT)) {
    errors.push({ field: `${at}/maxLength`, message: `must be an integer from 1 to ${MAX_STRING_LIMIT}` });
  }
  if (raw.maxItems !== undefined && !positiveInteger(raw.maxItems, MAX_ITEMS_LIMIT)) {
    errors.push({ field: `${at}/maxItems`, message: `must be an integer from 1 to ${MAX_ITEMS_LIMIT}` });
  }
  for (const bound of ['min', 'max'] as const) {
    const v = raw[bound];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      errors.push({ field: `${at}/${bound}`, message: 'must be a finite number' });
    }
  }
  if (typeof raw.min === 'number' && typeof raw.max === 'number' && raw.min > raw.max) {
    errors.push({ field: `${at}/min`, message: 'must not exceed max' });
  }
  if (raw.integer !== undefined && typeof raw.integer !== 'boolean') {
    errors.push({ field: `${at}/integer`, message: 'must be a boolean' });
  }
  const refs = raw.referenceTypes;
  if (
    refs !== undefined &&
    (!Array.isArray(refs) || refs.length === 0 || refs.some((r) => typeof r !== 'string' || !TYPE_NAME.test(r)))
  ) {
    errors.push({ field: `${at}/referenceTypes`, message: 'must be a non-empty list of type names' });
  }
  const label = checkLabel(raw.label, `${at}/label`, errors);
  if (errors.length > before) return undefined;
  // Fixed key order: the stored JSON of equal definitions is equal.
  const field: Record<string, unknown> = { name, kind: k };
  if (raw.required === true) field.required = true;
  if (label !== undefined) field.label = label;
  for (const key of ['maxLength', 'min', 'max', 'maxItems'] as const) {
    if (raw[key] !== undefined) field[key] = raw[key];
  }
  if (raw.integer === true) field.integer = true;
  if (Array.isArray(refs)) field.referenceTypes = [...new Set(refs as string[])].sort();
  return Object.freeze(field) as unknown as FieldDefinition;
}

/** The default title field: `title` when it is text, else the first text field, else none. */
function defaultTitleField(fields: readonly FieldDefinition[]): string | null {
  const named = fields.find((f) => f.name === 'title' && f.kind === 'text');
  return named?.name ?? fields.find((f) => f.kind === 'text')?.name ?? null;
}

/**
 * Validates a definition and returns its normal form; GALLEY_CONTENT_TYPE_INVALID with one error per problem
 * (JSON pointers into the definition, e.g. `/fields/2/maxLength`).
 */
export function normaliseDefinition(definition: ContentTypeDefinition): NormalisedDefinition {
  const errors: FieldError[] = [];
  const raw = definition as unknown as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['name', 'label', 'fields', 'titleField'].includes(key)) {
      errors.push({ field: `/${key}`, message: 'is not part of a content type definition' });
    }
  }
  if (typeof definition.name !== 'string' || !TYPE_NAME.test(definition.name)) {
    errors.push({ field: '/name', message: 'must be a lowercase letter followed by a-z, 0-9 or _ (≤ 64)' });
  }
  const label = checkLabel(definition.label, '/label', errors);
  const fields: FieldDefinition[] = [];
  if (!Array.isArray(definition.fields) || definition.fields.length === 0 || definition.fields.length > MAX_FIELDS) {
    errors.push({ field: '/fields', message: `must be a list of 1 to ${MAX_FIELDS} fields` });
  } else {
    const seen = new Set<string>();
    definition.fields.forEach((f, i) => {
      const field = normaliseField(f, `/fields/${i}`, errors);
      if (field === undefined) return;
      if (seen.has(field.name)) errors.push({ field: `/fields/${i}/name`, message: `duplicates "${field.name}"` });
      seen.add(field.name);
      fields.push(field);
    });
    const slugs = fields.filter((f) => f.kind === 'slug');
    if (slugs.length > 1) errors.push({ field: '/fields', message: 'a type has at most one slug field' });
  }
  let titleField: string | null = null;
  if (definition.titleField !== undefined) {
    const target = fields.find((f) => f.name === definition.titleField);
    if (target?.kind !== 'text') errors.push({ field: '/titleField', message: 'must name a text field of the type' });
    else titleField = target.name;
  } else {
    titleField = defaultTitleField(fields);
  }
  if (errors.length > 0) {
    throw new GalleyError('GALLEY_CONTENT_TYPE_INVALID', `content type definition is not valid`, { errors });
  }
  return Object.freeze({
    name: definition.name,
    label: label ?? definition.name,
    fields: Object.freeze(fields),
    titleField,
  });
}
