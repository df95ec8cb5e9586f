/**
 * The one resilience policy every provider gets: retries of transient failures with exponential backoff, and a
 * circuit breaker per provider family shared by the whole process, so a dead provider costs one fast rejection
 * (`ProviderError` code `unavailable`) instead of a timeout per call and the gateway falls back at once.
 *
 * The breaker is cockatiel's (ConsecutiveBreaker + halfOpenAfter); the retry loop is our own around it, because
 * cockatiel's retry policy takes its delays only from a backoff generator: it cannot wait for the Retry-After a
 * 429 carries, nor be cut short by the caller's AbortSignal while sleeping. Here each wait is
 * max(backoff, retryAfterMs), a Retry-After longer than `maxRetryAfterMs` is not waited for at all (the gateway
 * should fall back instead), and the caller's signal ends a wait immediately with the signal's reason.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  IsolatedCircuitError,
} from 'cockatiel';
import { isTimeoutAbort, ProviderError } from './errors.ts';
import type { ModelProvider, ModelRequest, ModelResponse, ProviderName } from './port.ts';

/** A breaker's state as metrics and tests see it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** A retry about to happen. */
export interface RetryEvent {
  readonly provider: ProviderName;
  readonly model: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  /** How long the wrapper waits before the next attempt. */
  readonly delayMs: number;
  readonly error: ProviderError;
}

/** A circuit that just opened. */
export interface BreakEvent {
  readonly provider: ProviderName;
  /** The failure that tripped it. */
  readonly error: unknown;
}

/** Options of one wrapped provider. */
export interface ResilienceOptions {
  /** Total attempts including the first (default 3; 1 = no retry, as for the local model). */
  readonly maxAttempts?: number;
  /** First backoff delay in ms (default 200; exponential with decorrelated jitter after that). */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay in ms (default 5,000). */
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for; the error is thrown at once (default 30,000). */
  readonly maxRetryAfterMs?: number;
  /** Consecutive failures that open the circuit (default 5). Used when this wrap creates the breaker. */
  readonly breakerThreshold?: number;
  /** How long an open circuit rejects before letting one trial call through, in ms (default 10,000). */
  readonly halfOpenAfterMs?: number;
  /** Where breakers live (default: the process-wide set, one breaker per provider name). */
  readonly breakers?: BreakerSet;
  /** Called before each retry wait (metrics). */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Called once each time the circuit opens, by the wrapper whose call observed it (metrics). */
  readonly onBreak?: (event: BreakEvent) => void;
}

/** One provider family's breaker. */
export interface Circuit {
  readonly policy: CircuitBreakerPolicy;
  /**
   * The failure that last opened the circuit, handed out once per opening (so concurrent failing calls report a
   * break once); undefined when there is no unreported break.
   */
  takeBreak(): { readonly reason: unknown } | undefined;
}

/** Circuit breakers keyed by provider name. */
export interface BreakerSet {
  /** The circuit of `provider`, created on first use with these settings (later settings are ignored). */
  get(provider: ProviderName, settings: { threshold: number; halfOpenAfterMs: number }): Circuit;
  /** State of `provider`'s breaker; 'closed' when it was never used. */
  state(provider: ProviderName): BreakerState;
  /** Forgets every breaker (tests, `galley chaos` resets). */
  reset(): void;
}

/** A failure the breaker counts: transient provider faults and calls the caller's deadline cut short (a hang). */
function isBreakerFailure(error: unknown): boolean {
  return error instanceof ProviderError ? error.retryable : isTimeoutAbort(error);
}

/** Creates an independent set of breakers (tests; the process uses `processBreakers`). */
export function createBreakerSet(): BreakerSet {
  const circuits = new Map<ProviderName, Circuit>();
  return {
    get(provider, settings) {
      const existing = circuits.get(provider);
      if (existing !== undefined) return existing;
      const policy = circuitBreaker(handleWhen(isBreakerFailure), {
        halfOpenAfter: settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.threshold),
      });
      let unreported: { readonly reason: unknown } | undefined;
      // One listener per breaker for the life of the set (wrappers come and go without subscribing).
      policy.onBreak((failure) => {
        unreported = { reason: 'error' in failure ? failure.error : failure };
      });
      const circuit: Circuit = {
        policy,
        takeBreak() {
          const taken = unreported;
          unreported = undefined;
          return taken;
        },
      };
      circuits.set(provider, circuit);
      return circuit;
    },
    state(provider) {
      const circuit = circuits.get(provider);
      return circuit === undefined ? 'closed' : stateName(circuit.policy.state);
    },
    reset: () => circuits.clear(),
  };
}

/** The process-wide breakers: every wrapper of one provider family shares one circuit. */
export const processBreakers: BreakerSet = createBreakerSet();

/** State of `provider`'s process-wide breaker (for metrics and health). */
export function breakerState(provider: ProviderName): BreakerState {
  return processBreakers.state(provider);
}

function stateName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Isolated:
      return 'isolated';
    default:
      return 'closed';
  }
}

/** Wraps `provider` with retries and its family's circuit breaker. The result is a ModelProvider of the same name. */
export function withResilience(provider: ModelProvider, options: ResilienceOptions = {}): ModelProvider {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const backoffFactory = new ExponentialBackoff({
    initialDelay: options.baseDelayMs ?? 200,
    maxDelay: options.maxDelayMs ?? 5_000,
  });
  const circuit = (options.breakers ?? processBreakers).get(provider.name, {
    threshold: options.breakerThreshold ?? 5,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
  });

  const attempt = async (request: ModelRequest): Promise<ModelResponse> => {
    try {
      const waitsForTrial = circuit.policy.state === CircuitState.HalfOpen;
      const call = circuit.policy.execute(() => {
        // A caller that gave up while waiting must neither reach the provider nor count as its failure.
        if (request.signal.aborted) throw new AbandonedCall();
        return provider.complete(request);
      });
      // cockatiel makes callers that arrive during a half-open trial wait for it without watching their own signal;
      // racing the signal keeps the port's promise that an aborted call rejects promptly. Other calls are not raced:
      // the adapter honours the signal itself, and the breaker must have counted the failure when the caller sees it.
      return await (waitsForTrial ? raceAbort(call, request.signal) : call);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new ProviderError({
          provider: provider.name,
          code: 'unavailable',
          retryable: false,
          message: `The ${provider.name} provider is unavailable (circuit open after repeated failures)`,
          cause: error,
        });
      }
      const broke = circuit.takeBreak();
      if (broke !== undefined) options.onBreak?.({ provider: provider.name, error: broke.reason });
      throw error;
    }
  };

  return {
    name: provider.name,
    async complete(request) {
      let backoff: IBackoff<unknown> | undefined;
      for (let n = 1; ; n++) {
        try {
          return await attempt(request);
        } catch (error) {
          const retry = n < maxAttempts && !request.signal.aborted && error instanceof ProviderError && error.retryable;
          if (!retry) throw error;
          const retryAfter = error.retryAfterMs ?? 0;
          if (retryAfter > maxRetryAfterMs) throw error;
          backoff = (backoff ?? backoffFactory).next(undefined);
          const delayMs = Math.max(Math.round(backoff.duration), retryAfter);
          options.onRetry?.({ provider: provider.name, model: request.model, attempt: n, delayMs, error });
          await sleep(delayMs, request.signal);
        }
      }
    },
  };
}

/** Thrown inside the breaker for a call abandoned before it started; not a provider failure. */
class AbandonedCall extends Error {
  constructor() {
    super('The caller aborted before the call started');
    this.name = 'AbandonedCall';
  }
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts (the promise keeps running). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof AbandonedCall ? signal.reason : error);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
