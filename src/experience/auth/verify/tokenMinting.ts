/**
 * FOR TESTS AND BENCHMARKS. Mints access tokens exactly as the token contract describes (tokenContract.ts), with
 * a private signing JWK from loadKeySet — the key material the authorization server signs with — so the
 * verifier can be exercised without running the provider. Every header field and claim can be overridden or
 * removed (`undefined`) to produce the malformed and foreign tokens the verifier must refuse.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, importJWK, type JWK, type JWTHeaderParameters, type KeyObject, SignJWT } from 'jose';
import type { Jwk } from '../keys/signingKeys.ts';
import { ACCESS_TOKEN_TTL_S, ACCESS_TOKEN_TYP, API_SCOPE } from '../tokenContract.ts';

/** What to put in a minted token; claims default to a user token for an editor. */
export interface MintProps {
  readonly issuer: string;
  readonly audience: string;
  /** Claims replacing (or, when `undefined`, removing) the defaults. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header fields replacing the defaults (`kid` of the key, `typ` at+jwt); `alg` is always the key's. */
  readonly header?: Partial<JWTHeaderParameters>;
  /** Issued-at, epoch seconds (default now); `exp` defaults to iat + ACCESS_TOKEN_TTL_S. */
  readonly iat?: number;
}

const imported = new WeakMap<Jwk, Promise<CryptoKey | KeyObject | Uint8Array>>();

function importOnce(key: Jwk): Promise<CryptoKey | KeyObject | Uint8Array> {
  const known = imported.get(key);
  if (known !== undefined) return known;
  const started = importJWK({ ...key } as JWK, key.alg);
  imported.set(key, started);
  return started;
}

/** The default claims of a minted user token (fresh `jti`, `gid` and `sid`). */
export function defaultClaims(iat: number): Record<string, unknown> {
  return {
    sub: randomUUID(),
    tid: randomUUID(),
    role: 'editor',
    scope: `openid offline_access ${API_SCOPE}`,
    jti: randomUUID(),
    gid: randomUUID(),
    sid: randomUUID(),
    client_id: 'galley-web',
    iat,
    exp: iat + ACCESS_TOKEN_TTL_S,
  };
}

/** Signs an access token with `privateKey` (a private ES256 JWK from loadKeySet(...).signing). */
export async function mintAccessToken(privateKey: Jwk, props: MintProps): Promise<string> {
  const iat = props.iat ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { ...defaultClaims(iat), iss: props.issuer, aud: props.audience };
  for (const [name, value] of Object.entries(props.claims ?? {})) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  const header: JWTHeaderParameters = {
    kid: privateKey.kid,
    typ: ACCESS_TOKEN_TYP,
    ...props.header,
    alg: privateKey.alg,
  };
  return new SignJWT(claims).setProtectedHeader(header).sign(await importOnce(privateKey));
}
