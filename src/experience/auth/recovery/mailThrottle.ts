/**
 * Caps account mail per recipient so the public "forgot password" form cannot be used to flood a mailbox.
 * The cap is silent by design: callers answer the same whether or not a mail went out (no enumeration).
 */
import { createHash } from 'node:crypto';
import type { Kv } from '../../../data/kv/port.ts';

/** Mails of one kind per address per window. */
export const ACCOUNT_MAIL_LIMIT = 3;
/** The fixed window of ACCOUNT_MAIL_LIMIT. */
export const ACCOUNT_MAIL_WINDOW_MS = 15 * 60_000;

/** True when one more mail of `kind` to `email` is allowed now (and counts it). Without a kv, always true. */
export async function allowAccountMail(kv: Kv | undefined, kind: string, email: string): Promise<boolean> {
  if (kv === undefined) return true;
  const id = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  const result = await kv.incrementWithLimit(`auth:mail:${kind}:${id}`, 1, ACCOUNT_MAIL_LIMIT, {
    ttlMs: ACCOUNT_MAIL_WINDOW_MS,
  });
  return result.ok;
}
