/**
 * The log destination that makes request logs cheap on success and complete on failure. Every line a request
 * writes, down to the buffer level (debug by default, whatever the configured level), is held in that request's
 * bounded in-memory buffer instead of being written; when the request ends, its controller (logController.ts)
 * either flushes the whole buffer (errors, 5xx, slow requests), writes the lines at or above the configured level
 * (sampled successes) or drops them all (the rest).
 *
 * A line belongs to a request when it is written inside the request's AsyncLocalStorage scope (any logger, e.g.
 * a module logger called by a use case), or, outside it, when it carries the request's id binding (Fastify's
 * `request.log` child): body parsing and response events run outside the request's async scope. Lines of no open
 * request (start-up, workers, background loops) are written at once, filtered by the configured level.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DestinationStream } from 'pino';

/** Limits of one request's buffer; the oldest lines are dropped (and counted) beyond them. */
export interface BufferLimits {
  /** Most lines held; default 200. */
  readonly maxLines?: number;
  /** Most characters held; default 256 KiB. */
  readonly maxChars?: number;
}

/** Options of RequestLogs. */
export interface RequestLogsOptions extends BufferLimits {
  /** Where lines finally go (stdout in production). */
  readonly out: DestinationStream;
  /** Numeric level at or above which lines are written (pino: 30 = info). */
  readonly level: number;
  /** Label of the request id binding in `request.log` lines (the LogController's `requestIdLogLabel`). */
  readonly requestIdLabel?: string;
  /** Most requests buffered at once; later requests log unbuffered (level-filtered, unsampled). Default 10 000. */
  readonly maxOpen?: number;
}

/** How a closed buffer is written. */
export type FlushMode = 'all' | 'at-level' | 'none';

/** One request's held lines. */
export class RequestBuffer {
  /** The request id the buffer belongs to. */
  readonly requestId: string;
  readonly #lines: string[] = [];
  readonly #levels: number[] = [];
  readonly #maxLines: number;
  readonly #maxChars: number;
  #chars = 0;
  #dropped = 0;
  #highest = 0;
  #open = true;

  constructor(requestId: string, limits: BufferLimits) {
    this.requestId = requestId;
    this.#maxLines = limits.maxLines ?? 200;
    this.#maxChars = limits.maxChars ?? 262_144;
  }

  /** False once the request's outcome was decided; later lines are written directly. */
  get open(): boolean {
    return this.#open;
  }

  /** Highest level written by the request so far (50 = an error was logged). */
  get highestLevel(): number {
    return this.#highest;
  }

  /** Lines dropped because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Holds one line. */
  push(level: number, line: string): void {
    this.#highest = Math.max(this.#highest, level);
    this.#lines.push(line);
    this.#levels.push(level);
    this.#chars += line.length;
    while (this.#lines.length > 1 && (this.#lines.length > this.#maxLines || this.#chars > this.#maxChars)) {
      this.#chars -= this.#lines.shift()?.length ?? 0;
      this.#levels.shift();
      this.#dropped += 1;
    }
  }

  /** Closes the buffer and hands back its lines with their levels, oldest first. */
  drain(): { readonly lines: readonly string[]; readonly levels: readonly number[] } {
    this.#open = false;
    const drained = { lines: [...this.#lines], levels: [...this.#levels] };
    this.#lines.length = 0;
    this.#levels.length = 0;
    this.#chars = 0;
    return drained;
  }
}

/** The numeric level at the start of a pino JSON line (`{"level":30,…`); lines of another shape count as fatal. */
export function levelOf(line: string): number {
  const match = /^\{"level":(\d+)/.exec(line);
  return match?.[1] === undefined ? 60 : Number(match[1]);
}

/** The request buffers of one logger, and the destination stream that routes lines into them. */
export class RequestLogs implements DestinationStream {
  readonly #out: DestinationStream;
  readonly #level: number;
  readonly #limits: BufferLimits;
  readonly #maxOpen: number;
  readonly #idMarker: string;
  readonly #open = new Map<string, RequestBuffer>();
  readonly #scope = new AsyncLocalStorage<RequestBuffer>();

  constructor(options: RequestLogsOptions) {
    this.#out = options.out;
    this.#level = options.level;
    this.#limits = { maxLines: options.maxLines, maxChars: options.maxChars };
    this.#maxOpen = options.maxOpen ?? 10_000;
    this.#idMarker = `${JSON.stringify(options.requestIdLabel ?? 'requestId')}:"`;
  }

  /** Numeric level at or above which lines are written. */
  get level(): number {
    return this.#level;
  }

  /** Requests currently buffered. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Starts buffering the lines of `requestId`; undefined when too many requests are open (they log directly). */
  open(requestId: string): RequestBuffer | undefined {
    const existing = this.#open.get(requestId);
    if (existing !== undefined) return existing;
    if (this.#open.size >= this.#maxOpen) return undefined;
    const buffer = new RequestBuffer(requestId, this.#limits);
    this.#open.set(requestId, buffer);
    return buffer;
  }

  /** The open buffer of `requestId`. */
  get(requestId: string): RequestBuffer | undefined {
    return this.#open.get(requestId);
  }

  /** Runs `fn` in the buffer's async scope, so lines of any logger written from it are held. */
  run<T>(buffer: RequestBuffer, fn: () => T): T {
    return this.#scope.run(buffer, fn);
  }

  /**
   * Ends buffering of `buffer` and writes its lines: `all` regardless of level (the error cohort), `at-level` those
   * at or above the configured level (sampled), `none` nothing. Safe to call more than once; later calls do nothing.
   */
  close(buffer: RequestBuffer, mode: FlushMode): void {
    if (!buffer.open) return;
    if (this.#open.get(buffer.requestId) === buffer) this.#open.delete(buffer.requestId);
    const { lines, levels } = buffer.drain();
    if (mode === 'none') return;
    lines.forEach((line, index) => {
      if (mode === 'all' || (levels[index] ?? 60) >= this.#level) this.#out.write(line);
    });
  }

  /** Pino calls this once per formatted line. */
  write(line: string): void {
    const level = levelOf(line);
    const buffer = this.#bufferOf(line);
    if (buffer !== undefined) buffer.push(level, line);
    else if (level >= this.#level) this.#out.write(line);
  }

  #bufferOf(line: string): RequestBuffer | undefined {
    const scoped = this.#scope.getStore();
    if (scoped?.open) return scoped;
    if (this.#open.size === 0) return undefined;
    const at = line.indexOf(this.#idMarker);
    if (at < 0) return undefined;
    const start = at + this.#idMarker.length;
    const end = line.indexOf('"', start);
    return end < 0 ? undefined : this.#open.get(line.slice(start, end));
  }
}
