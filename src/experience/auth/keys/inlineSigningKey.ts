/**
 * The signing keys handed to oidc-provider: an ES256 private key imported once (when the provider is built, which
 * a key rotation repeats) that signs with node:crypto in the calling thread.
 *
 * Why: given plain JWKs, the provider signs through jose and WebCrypto, which queues every signature on the libuv
 * thread pool and back (≈ 0.1 ms of CPU per ES256 signature on this machine, plus the two thread hand-offs);
 * node:crypto's one-shot sign costs ≈ 0.065 ms. Each refresh signs twice (access token, ID token). Same key, same
 * algorithm, same JWS: only where the signature is computed changes.
 *
 * `features.externalSigningSupport` is an oidc-provider experiment (version 'experimental-01', acknowledged
 * below). An upgrade that changes or stabilises it makes the provider throw at start-up rather than change
 * behaviour silently; then revisit this file.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { Jwk } from './signingKeys.ts';

/** The `features.externalSigningSupport` setting these keys need. */
export const INLINE_SIGNING_FEATURE = Object.freeze({ enabled: true, ack: 'experimental-01' });

/** An ES256 signing key for the provider's `jwks.keys`. */
export class InlineSigningKey extends ExternalSigningKey {
  readonly #private: KeyObject;
  readonly #public: KeyObject;

  /** Imports the private JWK; throws for anything but an ES256 (P-256) key. */
  constructor(jwk: Jwk) {
    super();
    if (jwk.alg !== 'ES256' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
      throw new TypeError(`signing key ${jwk.kid} is not a private ES256 key`);
    }
    this.#private = createPrivateKey({ key: jwk, format: 'jwk' });
    this.#public = createPublicKey(this.#private);
    this.kid = jwk.kid;
    this.alg = jwk.alg;
  }

  /** The public key (the provider derives the published JWK from it). */
  override keyObject(): KeyObject {
    return this.#public;
  }

  /** The JWS signature of `data`: ECDSA P-256 over SHA-256, r||s. */
  override async sign(data: Buffer): Promise<Buffer> {
    return sign('sha256', data, { key: this.#private, dsaEncoding: 'ieee-p1363' });
  }
}
