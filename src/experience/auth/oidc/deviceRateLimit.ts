/**
 * User-code guessing defence for the device flow (RFC 8628 §5.1): submissions to the verification page are
 * counted per client IP in a fixed window with kv.incrementWithLimit (atomic, shared by every process), and a
 * caller over the limit gets a 429 page without the code being looked up. Base-20 `XXXX-XXXX` codes have
 * 20^8 ≈ 2.6e10 values, so the limit makes guessing a live code hopeless.
 */
import type { IncomingMessage } from 'node:http';
import type { MiddlewareContext } from 'oidc-provider';
import type { Kv } from '../../../data/kv/port.ts';
import { html, PAGE_HEADERS, page } from '../interactions/html.ts';

/** Code submissions allowed per IP per window (a normal sign-in takes two: enter, then confirm). */
export const DEVICE_ATTEMPTS_PER_WINDOW = 20;
/** Length of the counting window, ms. */
export const DEVICE_ATTEMPT_WINDOW_MS = 10 * 60 * 1000;

/** The kv key counting one IP's submissions. */
export function deviceAttemptKey(ip: string): string {
  return `auth:device-attempts:${ip}`;
}

/** Provider middleware enforcing the limit on `POST /device`. */
export function limitDeviceCodeAttempts(kv: Kv, clientIp?: (req: IncomingMessage) => string | undefined) {
  return async (ctx: MiddlewareContext, next: () => Promise<void>): Promise<void> => {
    if (ctx.method !== 'POST' || ctx.path !== '/device') {
      await next();
      return;
    }
    const ip = clientIp?.(ctx.req) ?? ctx.ip;
    const counted = await kv.incrementWithLimit(deviceAttemptKey(ip), 1, DEVICE_ATTEMPTS_PER_WINDOW, {
      ttlMs: DEVICE_ATTEMPT_WINDOW_MS,
    });
    if (counted.ok) {
      await next();
      return;
    }
    ctx.status = 429;
    ctx.set('retry-after', String(Math.ceil(DEVICE_ATTEMPT_WINDOW_MS / 1000)));
    for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
    ctx.type = 'html';
    ctx.body = page(
      'Too many attempts',
      html`<p class="error" role="alert">Too many codes were entered from your network. Wait a few minutes, then try again.</p>`,
    );
  };
}
