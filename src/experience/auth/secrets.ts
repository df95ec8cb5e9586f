/**
 * The master secret and what is derived from it. Embedded mode keeps a generated secret in
 * `$GALLEY_DATA_DIR/secret.key` (0600) so a fresh clone needs no setup; distributed mode must share one through
 * GALLEY_SECRET (loadConfig refuses to start without it). Purpose keys are derived with HKDF so one secret never
 * serves two uses directly.
 */
import { createCipheriv, createDecipheriv, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.ts';

/** The secret from the configuration, or the data directory's (created on first use). */
export function loadSecret(config: Config): string {
  if (config.secret !== undefined) return config.secret;
  const file = path.join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

/** A 32-byte key for one purpose (`'signing-keys'`, `'session-cookie'` …). */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'galley', `galley:${purpose}`, 32));
}

/**
 * Encrypts text with AES-256-GCM; output `v1.<iv>.<ciphertext>.<tag>` in base64url. Hot callers pass the key as
 * a KeyObject (`createSecretKey(deriveKey(…))`, made once): from a Buffer, every call imports the key again, which
 * costs more than the encryption of a short text.
 */
export function seal(key: Buffer | KeyObject, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts what `seal` produced; throws when the text was tampered with or the key is wrong. */
export function unseal(key: Buffer | KeyObject, sealed: string): string {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) {
    throw new Error('sealed value has an unknown format');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
