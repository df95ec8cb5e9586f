/**
 * The CLI's tokens: one JSON file, `credentials.json` in the user's Galley config directory (GALLEY_CONFIG_DIR,
 * else `$XDG_CONFIG_HOME/galley`, else `~/.config/galley`), mode 0600 in a 0700 directory, one entry per server
 * URL. `galley login` fills an entry (device flow as the public client `galley-cli`), `galley logout` revokes
 * and removes it, and every command that calls a server gets its bearer token from `getAccessToken(url)`, which
 * refreshes an access token about to expire and writes the rotated set back.
 *
 * Writes replace the file atomically (temporary file + rename), so a reader never sees half a file. Two commands
 * refreshing the same entry at once both succeed: the server's refresh grace window gives both the same successor.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { CLI_CLIENT_ID } from '../auth/oidc/staticClients.ts';

/** Scopes the CLI asks for. */
export const CLI_SCOPE = 'openid offline_access api';

/** Refresh an access token that expires within this many seconds. */
const REFRESH_WITHIN_S = 30;

/** One server's stored tokens. */
export interface StoredCredentials {
  /** The server's issuer (`<url>/oauth`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Access-token expiry, epoch seconds. */
  readonly expiresAt: number;
  /** Tenant slug asked for at login, when one was. */
  readonly tenant?: string;
  /** When the entry was last written (ISO-8601). */
  readonly savedAt: string;
}

interface CredentialsFile {
  version: 1;
  servers: Record<string, StoredCredentials>;
}

/** No usable credentials for a server: not logged in, or the login ended (revoked, expired). */
export class NotLoggedInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotLoggedInError';
  }
}

/** The Galley config directory for `env`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GALLEY_CONFIG_DIR) return path.resolve(env.GALLEY_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(os.homedir(), '.config');
  return path.join(base, 'galley');
}

/** Path of the credentials file. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'credentials.json');
}

/** The entry key of a server URL: origin plus path, no trailing slash; throws for anything but http(s). */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function readFile(env: NodeJS.ProcessEnv): CredentialsFile {
  const file = credentialsPath(env);
  if (!existsSync(file)) return { version: 1, servers: {} };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CredentialsFile>;
  return { version: 1, servers: parsed.servers ?? {} };
}

function writeFile(env: NodeJS.ProcessEnv, content: CredentialsFile): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = credentialsPath(env);
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync is filtered by the umask; make sure.
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** The stored entry of a server, if any. */
export function readCredentials(url: string, env: NodeJS.ProcessEnv = process.env): StoredCredentials | undefined {
  return readFile(env).servers[serverKey(url)];
}

/** Stores (replaces) a server's entry. */
export function saveCredentials(
  url: string,
  credentials: StoredCredentials,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const content = readFile(env);
  content.servers[serverKey(url)] = credentials;
  writeFile(env, content);
}

/** Removes a server's entry; false when there was none. */
export function deleteCredentials(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const content = readFile(env);
  const key = serverKey(url);
  if (content.servers[key] === undefined) return false;
  delete content.servers[key];
  writeFile(env, content);
  return true;
}

/** Server URLs with stored credentials. */
export function storedServers(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(readFile(env).servers);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The server's OAuth configuration for `galley-cli`, from discovery at `<url>/oauth/.well-known/…`. Plain http is
 * accepted for loopback hosts only (local servers); tokens never travel unencrypted across a network.
 */
export async function cliOauthConfig(url: string): Promise<client.Configuration> {
  const base = new URL(serverKey(url));
  if (base.protocol === 'http:' && !isLoopback(base.hostname)) {
    throw new Error(`refusing plain http to ${base.host}: use https (http is only for loopback servers)`);
  }
  const issuer = new URL(`${serverKey(url)}/oauth`);
  return client.discovery(issuer, CLI_CLIENT_ID, { token_endpoint_auth_method: 'none' }, client.None(), {
    execute: base.protocol === 'http:' ? [client.allowInsecureRequests] : [],
  });
}

/** The stored entry for a token response. */
export function credentialsFrom(
  config: client.Configuration,
  tokens: client.TokenEndpointResponse,
  /** What the response may leave out: the refresh token being kept, and the tenant asked for at login. */
  kept: { readonly refreshToken?: string; readonly tenant?: string | undefined } = {},
): StoredCredentials {
  const refreshToken = tokens.refresh_token ?? kept.refreshToken;
  if (refreshToken === undefined) throw new Error('the server issued no refresh token');
  return {
    issuer: config.serverMetadata().issuer,
    clientId: CLI_CLIENT_ID,
    accessToken: tokens.access_token,
    refreshToken,
    expiresAt: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 0),
    ...(kept.tenant === undefined ? {} : { tenant: kept.tenant }),
    savedAt: new Date().toISOString(),
  };
}

/**
 * A valid access token for `url`, refreshed (and stored) first when it expires within 30 s. NotLoggedInError when
 * there is no entry or the server refuses the refresh token (the entry is then removed); other failures (server
 * unreachable) reject as they are and leave the entry alone.
 */
export async function getAccessToken(url: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const stored = readCredentials(url, env);
  if (stored === undefined) throw new NotLoggedInError(`not logged in to ${serverKey(url)}: run galley login`);
  if (stored.expiresAt - Date.now() / 1000 > REFRESH_WITHIN_S) return stored.accessToken;
  const config = await cliOauthConfig(url);
  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await client.refreshTokenGrant(config, stored.refreshToken);
  } catch (error) {
    if (error instanceof client.ResponseBodyError && error.status < 500) {
      deleteCredentials(url, env);
      throw new NotLoggedInError(`the login to ${serverKey(url)} has ended (${error.error}): run galley login`);
    }
    throw error;
  }
  const next = credentialsFrom(config, tokens, stored);
  saveCredentials(url, next, env);
  return next.accessToken;
}

/** The server a command without `--url` means: the only one logged in to, else this installation's public URL. */
export function defaultServerUrl(publicUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const servers = storedServers(env);
  return servers.length === 1 && servers[0] !== undefined ? servers[0] : publicUrl;
}
