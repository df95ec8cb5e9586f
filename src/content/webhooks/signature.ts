/**
 * Webhook signatures. Every delivery carries
 *
 *     Galley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * where the HMAC is keyed with the subscription's signing secret (the whole `whsec_…` string, as UTF-8 bytes) and
 * computed over `<t>.<raw request body>`. Signing the timestamp with the body lets a receiver refuse replays of
 * an old, captured request: it checks the HMAC, then that `t` is within a few minutes of its own clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every signing secret, so a leaked one is recognisable (secret scanners, logs). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Default tolerance, in seconds, between the signed timestamp and the receiver's clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/** A new signing secret: `whsec_` and 32 random bytes in base64url. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return hmac.digest('hex');
}

/** The `Galley-Signature` header value for `rawBody` signed at `timestamp` (unix seconds; default now). */
export function signWebhookPayload(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

/**
 * What a receiver implements: true when `header` (the `Galley-Signature` value) carries a `v1` HMAC-SHA256 of
 * `"<t>.<rawBody>"` under `secret` and its timestamp `t` is within `toleranceS` seconds of `nowS`.
 *
 * - `rawBody` must be the exact bytes received, before any JSON parsing (re-serialising changes them).
 * - Several `v1=` entries are accepted (any one matching suffices), so a sender may sign with two secrets while
 *   one is being rotated.
 * - Comparison is constant-time; a malformed header is simply false.
 *
 * @param secret the subscription's signing secret (`whsec_…`), shown once when it was created or rotated
 * @param header the `Galley-Signature` header value, `t=<unix seconds>,v1=<hex>`
 * @param rawBody the request body exactly as received
 * @param toleranceS largest accepted distance between `t` and now, in seconds (default 300)
 * @param nowS the receiver's clock in unix seconds (default: now)
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Uint8Array,
  toleranceS: number = DEFAULT_SIGNATURE_TOLERANCE_S,
  nowS: number = Date.now() / 1000,
): boolean {
  if (header === undefined || header.length > 4096) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return false;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) {
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowS - timestamp) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  let ok = false;
  // Every candidate is compared, so timing says nothing about which one matched.
  for (const signature of signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) ok = true;
  }
  return ok;
}
