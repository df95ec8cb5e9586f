/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of JWT access tokens. oidc-provider 9 answers
 * `unsupported_token_type` for structured tokens, but Galley's access tokens are JWTs and both endpoints must
 * work for them, so these two routes look at the `token` first:
 * - a JWT is handled here: the client authenticates (basic, post or none, as registered), the token must verify
 *   against the provider's own JWKS and issuer; revocation writes the `jti` deny-list entry (until the token's
 *   expiry) — JWT access tokens are not stored, the deny-list is their revocation; introspection reports it
 *   active only while its grant exists and no deny-list entry (jti, grant, session) matches;
 * - anything else (refresh tokens) goes to the provider unchanged.
 */
import type { IncomingMessage } from 'node:http';
import { stringify } from 'node:querystring';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { Client, Provider } from 'oidc-provider';
import { ACCESS_TOKEN_TYP, CLOCK_SKEW_S, denyKey } from '../tokenContract.ts';
import { deny } from './denyList.ts';
import type { GalleyOidc } from './oidcProvider.ts';

/** What the routes need from oauthRoutes. */
export interface StructuredTokenRoutesOptions {
  /** The authorization server (started on first use). */
  readonly oidc: () => Promise<GalleyOidc>;
  /** Path the provider is mounted at (`/oauth`). */
  readonly basePath: string;
  /** Hands the request (or its replacement with the body replayed) to the provider. */
  readonly forward: (request: FastifyRequest, reply: FastifyReply, raw?: IncomingMessage) => void;
}

type Form = Record<string, string | string[] | undefined>;

function field(form: Form, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : '';
}

function isJwt(token: string): boolean {
  try {
    return token.split('.').length === 3 && decodeProtectedHeader(token).alg !== undefined;
  } catch {
    return false;
  }
}

/**
 * A copy of the request whose body stream yields `body` again (Fastify consumed the original); oidc-provider
 * reads headers, method, url, socket and the stream, which is what is carried over.
 */
export function replayRequest(raw: IncomingMessage, body: string): IncomingMessage {
  const bytes = Buffer.from(body, 'utf8');
  const headers = { ...raw.headers, 'content-length': String(bytes.length) };
  delete headers['transfer-encoding'];
  const replay = Object.assign(Readable.from([bytes]), {
    headers,
    rawHeaders: raw.rawHeaders,
    method: raw.method,
    url: raw.url,
    httpVersion: raw.httpVersion,
    httpVersionMajor: raw.httpVersionMajor,
    httpVersionMinor: raw.httpVersionMinor,
    socket: raw.socket,
    connection: raw.socket,
    complete: true,
    trailers: {},
    rawTrailers: [],
  });
  return replay as unknown as IncomingMessage;
}

/** RFC 6749 §2.3.1 form-decoding of Basic credentials; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', '%20'));
  } catch {
    return undefined;
  }
}

/** The authenticated client of the request, or undefined (then the answer is invalid_client). */
async function authenticateClient(
  provider: Provider,
  request: FastifyRequest,
  form: Form,
): Promise<Client | undefined> {
  let id = field(form, 'client_id');
  let secret = field(form, 'client_secret');
  const header = request.headers.authorization;
  if (header !== undefined) {
    const [scheme, value = ''] = header.split(' ');
    if (scheme?.toLowerCase() !== 'basic' || secret !== '') return undefined;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const basicId = formDecode(decoded.slice(0, colon));
    const basicSecret = formDecode(decoded.slice(colon + 1));
    if (basicId === undefined || basicSecret === undefined || (id !== '' && id !== basicId)) return undefined;
    id = basicId;
    secret = basicSecret;
  }
  if (id === '') return undefined;
  const client = await provider.Client.find(id);
  if (client === undefined) return undefined;
  if (client.clientAuthMethod === 'none') return secret === '' ? client : undefined;
  if (!['client_secret_basic', 'client_secret_post'].includes(client.clientAuthMethod) || secret === '')
    return undefined;
  return (await client.compareClientSecret(secret)) ? client : undefined;
}

/** The token's claims when it is one of ours and unexpired, else undefined. */
async function verify(oidc: GalleyOidc, token: string): Promise<JWTPayload | undefined> {
  try {
    const jwks = createLocalJWKSet({ keys: oidc.publicJwks().keys.map((k) => ({ ...k })) });
    const { payload } = await jwtVerify(token, jwks, {
      issuer: oidc.issuer,
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: CLOCK_SKEW_S,
    });
    return payload;
  } catch {
    return undefined;
  }
}

/** True while the token's grant (if it has one) exists and no deny-list entry matches it. */
async function isLive(oidc: GalleyOidc, claims: JWTPayload): Promise<boolean> {
  if (typeof claims.jti !== 'string') return false;
  if (typeof claims.gid === 'string' && (await oidc.adapters('Grant').find(claims.gid)) === undefined) return false;
  const keys = [denyKey.jti(claims.jti)];
  if (typeof claims.gid === 'string') keys.push(denyKey.grant(claims.gid));
  if (typeof claims.sid === 'string') keys.push(denyKey.session(claims.sid));
  const denied = await Promise.all(keys.map((k) => oidc.kv.get(k)));
  return denied.every((d) => d === undefined);
}

function invalidClient(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('cache-control', 'no-store')
    .header('www-authenticate', 'Basic realm="galley"')
    .send({ error: 'invalid_client', error_description: 'client authentication failed' });
}

/** Registers the introspection and revocation routes in front of the provider's. */
export function registerStructuredTokenRoutes(app: FastifyInstance, options: StructuredTokenRoutesOptions): void {
  const { basePath } = options;
  const hide = { schema: { hide: true } };

  const route = (endpoint: 'introspection' | 'revocation') => async (request: FastifyRequest, reply: FastifyReply) => {
    const form = (request.body ?? {}) as Form;
    const token = field(form, 'token');
    if (!isJwt(token)) {
      options.forward(request, reply, replayRequest(request.raw, stringify(form)));
      return reply;
    }
    const oidc = await options.oidc();
    const client = await authenticateClient(oidc.provider(), request, form);
    if (client === undefined) return invalidClient(reply);
    const claims = await verify(oidc, token);
    const own = claims?.client_id === client.clientId;
    reply.header('cache-control', 'no-store');
    if (endpoint === 'revocation') {
      if (claims !== undefined && own && typeof claims.jti === 'string') {
        const ttlMs = ((claims.exp ?? 0) + CLOCK_SKEW_S) * 1000 - Date.now();
        await deny(oidc.kv, 'jti', claims.jti, ttlMs);
      }
      return reply.code(200).send();
    }
    const allowed = client.clientAuthMethod !== 'none' || own;
    if (claims === undefined || !allowed || !(await isLive(oidc, claims))) return reply.send({ active: false });
    return reply.send({ ...claims, active: true, token_type: 'Bearer' });
  };

  app.post(`${basePath}/token/introspection`, hide, route('introspection'));
  app.post(`${basePath}/token/revocation`, hide, route('revocation'));
}
