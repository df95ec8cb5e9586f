/**
 * Sends one webhook request: a POST over node:http(s) whose socket lookup is the SSRF guard (targetGuard.ts), so
 * the checked address is the connected one. Redirects are not followed (a 3xx is a failed attempt, and cannot
 * bounce a delivery to an internal address). At most RESPONSE_SNIPPET_BYTES of the answer are kept, for the
 * delivery log; the rest is drained and dropped.
 */
import http from 'node:http';
import https from 'node:https';
import { assertDeliverableHost, guardedLookup } from './targetGuard.ts';

/** Bytes of a response body kept for the delivery log. */
export const RESPONSE_SNIPPET_BYTES = 512;

/** What came back from one request. */
export interface SendResult {
  readonly status: number;
  /** Start of the response body, UTF-8 (possibly cut mid-character). */
  readonly snippet: string;
}

/** Input of sendWebhook. */
export interface SendProps {
  readonly url: URL;
  /** The exact bytes that were signed. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts the request (timeout, job cancellation); the promise rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** GALLEY_WEBHOOKS_ALLOW_PRIVATE. */
  readonly allowPrivate: boolean;
}

// Keep-alive pools so a busy subscription does not pay a TLS handshake per event. A pooled socket skips the
// lookup, so guarded and unguarded requests never share a pool. Idle pooled sockets do not hold the process open.
const agents = new Map<string, http.Agent>();

function agentFor(secure: boolean, allowPrivate: boolean): http.Agent {
  const key = `${secure ? 'https' : 'http'}:${allowPrivate}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 64 })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * POSTs `body` to `url`. Resolves with the status and a snippet of any answer; rejects with
 * WebhookTargetRefusedError for a refused address, the signal's reason when aborted, or the network error.
 */
export function sendWebhook(props: SendProps): Promise<SendResult> {
  assertDeliverableHost(props.url, props.allowPrivate);
  props.signal.throwIfAborted();
  const secure = props.url.protocol === 'https:';
  const request = (secure ? https : http).request;
  return new Promise<SendResult>((resolve, reject) => {
    const abort = (): void => {
      req.destroy(props.signal.reason instanceof Error ? props.signal.reason : new Error(String(props.signal.reason)));
    };
    const req = request(props.url, {
      method: 'POST',
      agent: agentFor(secure, props.allowPrivate),
      lookup: guardedLookup(props.allowPrivate),
      headers: { ...props.headers, 'content-length': Buffer.byteLength(props.body).toString() },
    });
    props.signal.addEventListener('abort', abort, { once: true });
    const done = (): void => props.signal.removeEventListener('abort', abort);
    req.on('error', (error) => {
      done();
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < RESPONSE_SNIPPET_BYTES) {
          chunks.push(chunk.subarray(0, RESPONSE_SNIPPET_BYTES - kept));
          kept += Math.min(chunk.length, RESPONSE_SNIPPET_BYTES - kept);
        }
      });
      res.on('error', (error) => {
        done();
        reject(error);
      });
      res.on('end', () => {
        done();
        resolve({ status: res.statusCode ?? 0, snippet: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('close', () => {
        // Settled already unless the answer was cut short (abort or reset mid-body).
        done();
        if (!res.complete) reject(props.signal.aborted ? props.signal.reason : new Error('response ended early'));
      });
    });
    req.end(props.body);
  });
}
