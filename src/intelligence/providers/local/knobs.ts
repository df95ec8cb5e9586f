/**
 * Reading the local model's tunables (`params.local` of a prompt version). Every knob has a default and a range;
 * a missing, malformed or out-of-range value never fails a call: it falls back to the default or is clamped, so
 * a prompt version can only make the output better or worse, never invalid.
 */

/** The `params.local` record of a request. */
export type Knobs = Readonly<Record<string, string | number | boolean>>;

/** The bounds of one numeric knob. */
export interface KnobRange {
  readonly min: number;
  readonly max: number;
  /** Round to a whole number (counts, lengths). */
  readonly integer?: boolean;
}

/** The number at `knobs[name]` (numbers or numeric strings), clamped to `range`; `fallback` when absent or not a number. */
export function numberKnob(knobs: Knobs | undefined, name: string, fallback: number, range: KnobRange): number {
  const raw = knobs?.[name];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) return fallback;
  const rounded = range.integer === true ? Math.round(value) : value;
  return Math.min(range.max, Math.max(range.min, rounded));
}

/** The boolean at `knobs[name]` (`true`/`false` or the strings `"true"`/`"false"`); `fallback` otherwise. */
export function booleanKnob(knobs: Knobs | undefined, name: string, fallback: boolean): boolean {
  const raw = knobs?.[name];
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return fallback;
}

/** The string at `knobs[name]` when it is one of `allowed`; `fallback` otherwise. */
export function choiceKnob<T extends string>(
  knobs: Knobs | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = knobs?.[name];
  return allowed.find((a) => a === raw) ?? fallback;
}
