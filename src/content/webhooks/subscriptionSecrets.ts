/**
 * Signing secrets at rest: sealed (AES-256-GCM) under a key derived from the master secret for this purpose only,
 * so a database dump alone cannot forge signatures.
 */
import { deriveKey, seal, unseal } from '../../experience/auth/secrets.ts';

/** Purpose of the key that seals webhook signing secrets. */
export const WEBHOOK_SECRET_PURPOSE = 'webhook-secrets';

/** Seals a signing secret for `webhook_subscriptions.secret_sealed`. */
export function sealWebhookSecret(masterSecret: string, signingSecret: string): string {
  return seal(deriveKey(masterSecret, WEBHOOK_SECRET_PURPOSE), signingSecret);
}

/** Opens what sealWebhookSecret produced; throws when the master secret differs or the value was altered. */
export function unsealWebhookSecret(masterSecret: string, sealed: string): string {
  return unseal(deriveKey(masterSecret, WEBHOOK_SECRET_PURPOSE), sealed);
}
