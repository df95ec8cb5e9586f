/**
 * Which events a subscription receives. A subscription lists event names and patterns:
 *
 * - `entry.published` — exactly that name;
 * - `entry.*` — `*` stands for one dot-separated segment, except in last place, where it stands for one or more
 *   (so `entry.*` also matches a deeper `entry.field.changed`);
 * - `*` alone — every event of the tenant.
 *
 * Names are lowercase letters, digits, `_` and `-` in dot-separated segments, as the event log uses them.
 */
import { GalleyError } from '../../experience/errors/errors.ts';

/** Most names or patterns one subscription may list. */
export const MAX_EVENT_PATTERNS = 50;

const SEGMENT = /^(?:[a-z0-9_-]{1,64}|\*)$/;

/** True when `pattern` is a valid event name or pattern. */
export function isEventPattern(pattern: string): boolean {
  if (pattern.length === 0 || pattern.length > 200) return false;
  return pattern.split('.').every((segment) => SEGMENT.test(segment));
}

/**
 * Trims, checks and de-duplicates a subscription's list (order kept); GALLEY_VALIDATION_FAILED when it is empty,
 * too long or holds something that is not a name or pattern.
 */
export function normaliseEventPatterns(patterns: readonly string[], field = '/events'): string[] {
  const out: string[] = [];
  for (const [i, raw] of patterns.entries()) {
    const pattern = raw.trim();
    if (!isEventPattern(pattern)) {
      throw new GalleyError('GALLEY_VALIDATION_FAILED', `"${raw}" is not an event name or pattern`, {
        errors: [{ field: `${field}/${i}`, message: 'must be dot-separated [a-z0-9_-] segments or *' }],
      });
    }
    if (!out.includes(pattern)) out.push(pattern);
  }
  if (out.length === 0 || out.length > MAX_EVENT_PATTERNS) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `list 1–${MAX_EVENT_PATTERNS} event names or patterns`, {
      errors: [{ field, message: `must hold 1–${MAX_EVENT_PATTERNS} names or patterns` }],
    });
  }
  return out;
}

/** True when the event `name` matches `pattern` (see the module comment). */
export function matchesEventPattern(pattern: string, name: string): boolean {
  if (pattern === name || pattern === '*') return true;
  const want = pattern.split('.');
  const have = name.split('.');
  for (const [i, segment] of want.entries()) {
    const last = i === want.length - 1;
    if (segment === '*' && last) return have.length > i;
    const actual = have[i];
    if (actual === undefined || (segment !== '*' && segment !== actual)) return false;
  }
  return have.length === want.length;
}

/** True when `name` matches any of `patterns`. */
export function matchesAnyEventPattern(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => matchesEventPattern(pattern, name));
}
