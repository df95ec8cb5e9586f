/**
 * Type declarations for the part of `oidc-provider` 9 that Galley uses (the package ships JavaScript only and
 * @types/oidc-provider is not a dependency). Shapes follow lib/ of oidc-provider 9.13: models, adapter
 * interface, interaction API, errors. Extend here when you use more of the library; keep it a script file (no
 * top-level import/export) so the `declare module` block stays an ambient declaration.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** A JSON-compatible object as the provider stores it. */
  export type JsonObject = { [key: string]: unknown };

  /** What the provider hands to and reads from an adapter. */
  export interface AdapterPayload extends JsonObject {
    jti?: string;
    kind?: string;
    grantId?: string;
    userCode?: string;
    uid?: string;
    /** Epoch seconds when consumed (set by the adapter's `consume`). */
    consumed?: number | boolean;
    iat?: number;
    exp?: number;
  }

  /** Storage for one model (Session, Grant, RefreshToken …). */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** An OAuth client as the provider sees it. */
  export interface Client {
    readonly clientId: string;
    readonly clientName?: string;
    readonly clientAuthMethod: string;
    readonly scope?: string;
    readonly grantTypes?: readonly string[];
    /** Registered metadata in snake_case, extra properties included. */
    metadata(): JsonObject;
    grantTypeAllowed(type: string): boolean;
    compareClientSecret(actual: string): Promise<boolean> | boolean;
    readonly [extra: string]: unknown;
  }

  /** Fields common to stored models. */
  export interface BaseModel {
    jti: string;
    readonly kind: string;
    iat?: number;
    exp?: number;
    readonly isExpired: boolean;
    destroy(): Promise<void>;
  }

  /** An access token, client-credentials token or refresh token. */
  export interface Token extends BaseModel {
    accountId?: string;
    clientId: string;
    client?: Client;
    grantId?: string;
    sessionUid?: string;
    sid?: string;
    scope?: string;
    consumed?: number;
    extra?: JsonObject;
  }

  /** The grant: what an account allowed a client (scopes per resource). */
  export interface Grant extends BaseModel {
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: readonly string[]): void;
    addResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    save(ttl?: number): Promise<string>;
  }

  /** A browser session at the provider. */
  export interface Session extends BaseModel {
    uid: string;
    accountId?: string;
    authorizations?: Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
    destroyed?: boolean;
    grantIdFor(clientId: string): string | undefined;
  }

  /** Results an interaction hands back to the provider. */
  export interface InteractionResults extends JsonObject {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  /** The pending prompt of an interaction. */
  export interface PromptDetail {
    readonly name: string;
    readonly reasons: readonly string[];
    readonly details: JsonObject & {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
  }

  /** A login/consent interaction in progress. */
  export interface Interaction extends BaseModel {
    readonly uid: string;
    readonly prompt: PromptDetail;
    readonly params: JsonObject & { client_id?: string; scope?: string; tenant?: string };
    readonly session?: { accountId: string; uid: string; cookie: string };
    readonly grantId?: string;
    readonly lastSubmission?: InteractionResults;
    result?: InteractionResults;
    readonly returnTo: string;
    save(ttl: number): Promise<string>;
  }

  /** What findAccount returns. */
  export interface Account {
    readonly accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: readonly string[]): Promise<JsonObject> | JsonObject;
  }

  /** The provider's per-request context. */
  export interface OIDCContext {
    readonly route: string;
    readonly issuer: string;
    readonly params?: JsonObject;
    readonly client?: Client;
    readonly session?: Session;
    readonly result?: InteractionResults;
    readonly provider: Provider;
    readonly entities: {
      readonly Client?: Client;
      readonly Grant?: Grant;
      readonly RefreshToken?: Token;
      readonly RotatedRefreshToken?: Token;
      readonly AccessToken?: Token;
      readonly Session?: Session;
    };
    urlFor(name: string, options?: JsonObject): string;
  }

  /** A Koa context inside provider routes. */
  export interface KoaContextWithOIDC {
    readonly oidc: OIDCContext;
    readonly req: IncomingMessage;
    readonly res: ServerResponse;
    readonly method: string;
    readonly path: string;
    readonly ip: string;
    status: number;
    body: unknown;
    type: string;
    set(field: string, value: string): void;
    get(field: string): string;
  }

  /** A Koa context in provider-level middleware, which runs before the route (no `oidc` until it has run). */
  export type MiddlewareContext = Omit<KoaContextWithOIDC, 'oidc'> & { readonly oidc?: OIDCContext };

  /** Provider-level Koa middleware. */
  export type Middleware = (ctx: MiddlewareContext, next: () => Promise<void>) => Promise<void>;

  /** A grant type handler registered on the token endpoint. */
  export type GrantTypeHandler = (ctx: KoaContextWithOIDC) => Promise<void>;

  /** The configuration object; only the keys Galley sets are typed, the rest pass through unchecked. */
  export interface Configuration {
    readonly [key: string]: unknown;
  }

  /** Token model classes (static side). */
  export interface TokenStatic {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<Token | undefined>;
  }

  /** The authorization server: a Koa application. */
  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: Middleware): this;
    on(event: string, listener: (...args: never[]) => void): this;
    registerGrantType(
      name: string,
      handler: GrantTypeHandler,
      params?: Iterable<string>,
      dupes?: Iterable<string>,
    ): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    urlFor(name: string, options?: JsonObject): string;
    readonly Grant: {
      new (properties: { accountId: string; clientId: string }): Grant;
      find(id: string, options?: { ignoreExpiration?: boolean }): Promise<Grant | undefined>;
    };
    readonly Interaction: { find(uid: string): Promise<Interaction | undefined> };
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly Session: { findByUid(uid: string): Promise<Session | undefined> };
    readonly RefreshToken: TokenStatic;
    readonly AccessToken: TokenStatic;
    readonly ClientCredentials: TokenStatic;
  }

  /** Base class of every protocol error the provider renders. */
  export class OIDCProviderError extends Error {
    constructor(status: number, message: string);
    error: string;
    error_description?: string;
    error_detail?: string;
    status: number;
    statusCode: number;
    expose: boolean;
  }

  /** Errors built by the library's `E()` factory: `(description?, detail?)`. */
  export type DescribedErrorClass = new (description?: string, detail?: string) => OIDCProviderError;

  /** The error classes Galley throws or matches. */
  export const errors: {
    readonly OIDCProviderError: typeof OIDCProviderError;
    /** invalid_grant; the argument is a detail for logs, the description is fixed. */
    readonly InvalidGrant: new (
      detail?: string,
    ) => OIDCProviderError;
    /** invalid_request with a description and an optional status. */
    readonly InvalidRequest: new (
      description?: string,
      status?: number,
    ) => OIDCProviderError;
    readonly SessionNotFound: new (description?: string, status?: number) => OIDCProviderError;
    readonly InvalidClient: DescribedErrorClass;
    readonly InvalidTarget: DescribedErrorClass;
    readonly AccessDenied: DescribedErrorClass;
    readonly TemporarilyUnavailable: DescribedErrorClass;
  };

  /**
   * A signing key whose private half the library never sees (`features.externalSigningSupport`): the provider
   * publishes the public JWK derived from `keyObject()` and calls `sign(data)` for the raw JWS signature.
   */
  export class ExternalSigningKey {
    kid: string;
    alg: string;
    readonly use: 'sig';
    /** The public key. */
    keyObject(): import('node:crypto').KeyObject;
    /** The JWS signature of `data` (for ECDSA the IEEE P1363 r||s form). */
    sign(data: Buffer): Promise<Buffer | Uint8Array>;
  }

  export default Provider;
}

declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  /** The provider's private state (read for the token endpoint's grant handlers, which have no public getter). */
  export default function instance(provider: object): {
    readonly grantTypeHandlers: ReadonlyMap<string, (ctx: import('oidc-provider').KoaContextWithOIDC) => Promise<void>>;
    readonly grantTypeParams: ReadonlyMap<string | undefined, ReadonlySet<string>>;
  };
}
