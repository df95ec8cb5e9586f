/**
 * Canonical JSON: object keys sorted (recursively), no whitespace, `undefined` members dropped. Two values that are
 * equal as JSON data serialize to the same string however their keys were ordered, which is what a content hash
 * needs.
 */

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalValue(item)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    // Object.keys skips symbol keys (TypeBox's [Kind]), which are not part of the JSON data.
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = canonicalValue(member);
    }
    return sorted;
  }
  return value;
}

/** Serializes `value` with sorted keys; throws TypeError for values JSON cannot hold (functions, bigints, NaN). */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(canonicalValue(value), (_key, member: unknown) => {
    if (typeof member === 'number' && !Number.isFinite(member)) throw new TypeError('non-finite number');
    if (typeof member === 'function' || typeof member === 'bigint' || typeof member === 'symbol') {
      throw new TypeError(`cannot serialize a ${typeof member}`);
    }
    return member;
  });
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}
