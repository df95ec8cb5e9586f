/**
 * The kv channel that tells every process a prompt label moved, so label caches (promptCatalog.ts) drop the entry
 * within a second instead of waiting for their TTL.
 */
import type { Kv } from '../../data/kv/port.ts';

/** The pub/sub channel of label moves. */
export const PROMPT_LABELS_CHANNEL = 'prompts:labels';

/** One announced move. */
export interface LabelNotice {
  readonly task: string;
  readonly label: string;
  readonly hash: string;
}

/** Publishes a move; never throws (a lost notice is covered by the catalog's TTL). */
export async function announceLabelMove(kv: Kv | undefined, notice: LabelNotice): Promise<void> {
  if (kv === undefined) return;
  try {
    await kv.publish(PROMPT_LABELS_CHANNEL, JSON.stringify(notice));
  } catch {
    // The label row is already committed; caches converge within their TTL.
  }
}

/** Decodes a message; undefined when it is not a notice (the receiver then drops every cached label). */
export function parseLabelNotice(message: string): LabelNotice | undefined {
  try {
    const value = JSON.parse(message) as Partial<LabelNotice> | null;
    if (typeof value?.task === 'string' && typeof value.label === 'string' && typeof value.hash === 'string') {
      return { task: value.task, label: value.label, hash: value.hash };
    }
  } catch {
    // fall through
  }
  return undefined;
}
