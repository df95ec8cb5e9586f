/**
 * Identifiers: UUIDv7 (time-ordered, so primary-key indexes stay append-mostly and ids sort by creation).
 */
import { randomUUIDv7 } from 'node:crypto';

/** A new time-ordered identifier. */
export function newId(): string {
  return randomUUIDv7();
}
