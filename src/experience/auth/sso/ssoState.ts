/**
 * What an SSO sign-in keeps between the redirect to the upstream and the callback. The secrets (nonce, PKCE
 * verifier) stay server-side in the kv port under `sso:state:<state>` for SSO_STATE_TTL_MS, so any process can
 * finish a flow another started; the record is single-use (the callback that deletes it is the only one that
 * proceeds). The record is also bound to the browser that started the flow: an HttpOnly cookie holds a random
 * value whose SHA-256 the record keeps, so a callback URL replayed in another browser (login CSRF, a leaked
 * code) is refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kv } from '../../../data/kv/port.ts';

/** How long a started sign-in may take. */
export const SSO_STATE_TTL_MS = 10 * 60 * 1000;

/** Name of the browser-binding cookie. */
export const SSO_BINDING_COOKIE = 'galley_sso';

/** Shape of `state` values accepted from the callback (openid-client makes 43-character base64url ones). */
export const SSO_STATE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** One pending sign-in. */
export interface SsoPending {
  readonly tenantId: string;
  readonly providerId: string;
  /** The Galley authorization interaction the sign-in finishes. */
  readonly interactionUid: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** SHA-256 (base64url) of the browser-binding cookie's value. */
  readonly binding: string;
}

/** The kv key of a state. */
export function ssoStateKey(state: string): string {
  return `sso:state:${state}`;
}

/** A fresh browser-binding value. */
export function newBindingValue(): string {
  return randomBytes(32).toString('base64url');
}

/** The digest a pending record keeps of a binding value. */
export function bindingDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** True when the cookie value hashes to the record's digest (constant time). */
export function bindingMatches(pending: SsoPending, cookieValue: string | undefined): boolean {
  if (cookieValue === undefined || cookieValue === '') return false;
  const expected = Buffer.from(pending.binding);
  const actual = Buffer.from(bindingDigest(cookieValue));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Stores a pending sign-in under its state. */
export async function savePending(kv: Kv, state: string, pending: SsoPending): Promise<void> {
  await kv.set(ssoStateKey(state), JSON.stringify(pending), { ttlMs: SSO_STATE_TTL_MS });
}

function isPending(value: unknown): value is SsoPending {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['tenantId', 'providerId', 'interactionUid', 'nonce', 'codeVerifier', 'binding'].every(
    (k) => typeof v[k] === 'string',
  );
}

/** Takes (reads and deletes) the pending sign-in of a state; undefined when unknown, expired or already taken. */
export async function takePending(kv: Kv, state: string): Promise<SsoPending | undefined> {
  if (!SSO_STATE_PATTERN.test(state)) return undefined;
  const key = ssoStateKey(state);
  const raw = await kv.get(key);
  if (raw === undefined) return undefined;
  // Two callbacks racing on one state both read it; only the one whose delete removed it goes on.
  if (!(await kv.delete(key))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return isPending(parsed) ? parsed : undefined;
}
