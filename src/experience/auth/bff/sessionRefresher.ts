/**
 * Single-flight refresh per web session. A browser fires several API calls at once; when the session's access
 * token is about to expire, each of them arrives with the same (old) refresh token. Within this process they share
 * ONE refresh: the first starts it, the others await the same promise, and every response writes the same rotated
 * token set back into the cookie. The result stays cached for FLIGHT_TTL_MS keyed by session id and the refresh
 * token it replaced, so a request that left the browser before the new cookie arrived still gets the successor
 * instead of presenting a consumed token.
 *
 * Across processes (several replicas behind a load balancer) this map cannot help, and need not: the
 * authorization server's refresh grace window (oidc/refreshSingleFlight.ts) answers every presentation of the
 * same refresh token inside the window with the same successor, so concurrent refreshes from different
 * processes all succeed with one rotation.
 */
import { LRUCache } from 'lru-cache';
import type { BffTokens } from './oidcClient.ts';
import type { BffSession } from './sessionCookie.ts';

/** Default: refresh when the access token expires within this many seconds. */
export const DEFAULT_REFRESH_WITHIN_S = 30;
/** How long a finished refresh is handed to late requests carrying the replaced token. */
const FLIGHT_TTL_MS = 30_000;

/** Options of createSessionRefresher. */
export interface SessionRefresherOptions {
  /** Calls the token endpoint. */
  readonly refresh: (refreshToken: string) => Promise<BffTokens>;
  /** Refresh when the access token expires within this many seconds (default DEFAULT_REFRESH_WITHIN_S). */
  readonly refreshWithinSeconds?: number;
  /** Sessions tracked at once (default 10 000). */
  readonly maxSessions?: number;
}

/** Outcome of ensureFresh. */
export interface FreshSession {
  readonly session: BffSession;
  /** True when the token set changed (the cookie must be rewritten). */
  readonly refreshed: boolean;
}

/** Keeps sessions' access tokens fresh with at most one refresh per session and refresh token. */
export interface SessionRefresher {
  /** The session as is while its token is fresh enough, else with a rotated token set (shared refresh). */
  ensureFresh(session: BffSession): Promise<FreshSession>;
}

interface Flight {
  /** The refresh token this flight replaces. */
  readonly from: string;
  readonly result: Promise<BffTokens>;
}

/** Builds the refresher. */
export function createSessionRefresher(options: SessionRefresherOptions): SessionRefresher {
  const within = options.refreshWithinSeconds ?? DEFAULT_REFRESH_WITHIN_S;
  const flights = new LRUCache<string, Flight>({ max: options.maxSessions ?? 10_000, ttl: FLIGHT_TTL_MS });

  return {
    async ensureFresh(session) {
      if (session.expiresAt - Date.now() / 1000 > within) return { session, refreshed: false };
      let flight = flights.get(session.id);
      if (flight === undefined || flight.from !== session.refreshToken) {
        const started: Flight = { from: session.refreshToken, result: options.refresh(session.refreshToken) };
        flight = started;
        flights.set(session.id, started);
        // A failed refresh is not cached: the next request tries again (or learns the session is over).
        started.result.catch(() => {
          if (flights.get(session.id) === started) flights.delete(session.id);
        });
      }
      const tokens = await flight.result;
      return { session: { id: session.id, ...tokens }, refreshed: true };
    },
  };
}
