/**
 * The pages oidc-provider renders itself (device code entry and confirmation, device success, logout, errors),
 * in Galley's layout instead of the library's defaults. `form` arguments are the library's own forms (hidden
 * xsrf token, user code), inserted as they are.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errorBlock, html, PAGE_HEADERS, page, safe } from '../interactions/html.ts';

function send(ctx: KoaContextWithOIDC, body: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  ctx.type = 'html';
  ctx.body = body;
}

function clientName(ctx: KoaContextWithOIDC): string {
  const client = ctx.oidc.client;
  return client?.clientName ?? client?.clientId ?? 'an application';
}

/** `features.deviceFlow.userCodeInputSource`: the /device page where the user types the code. */
export async function userCodeInputSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _out: unknown,
  err: (Error & { userCode?: string }) | undefined,
): Promise<void> {
  let message: string | undefined;
  if (err !== undefined && (err.userCode !== undefined || err.name === 'NoCodeError')) {
    message = 'That code is not valid or has expired. Check the code on your device and try again.';
  } else if (err?.name === 'AbortedError') {
    message = 'The sign-in request was cancelled.';
  } else if (err !== undefined) {
    message = 'Something went wrong. Start again on your device.';
  }
  send(
    ctx,
    page(
      'Connect a device',
      html`${errorBlock(message)}<p>Enter the code shown by the Galley CLI or your device.</p>${safe(form)}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
    ),
  );
}

/** `features.deviceFlow.userCodeConfirmSource`: shows the code again so the user can compare it. */
export async function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _client: unknown,
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  send(
    ctx,
    page(
      'Confirm the device',
      html`<p><strong>${clientName(ctx)}</strong> wants to sign in. Check that your device shows this code:</p>
<p><code class="user-code">${userCode}</code></p>
<p class="muted">If you did not start this, or the code differs, cancel.</p>${safe(form)}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
    ),
  );
}

/** `features.deviceFlow.successSource`: the device is signed in. */
export async function deviceSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  send(
    ctx,
    page(
      'Device connected',
      html`<p>${clientName(ctx)} is signed in. You can close this page and return to your device.</p>`,
    ),
  );
}

/** `features.rpInitiatedLogout.logoutSource`: asks before ending the session. */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  send(
    ctx,
    page(
      'Sign out of Galley?',
      html`${safe(form)}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>`,
    ),
  );
}

/** `features.rpInitiatedLogout.postLogoutSuccessSource`. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  send(ctx, page('Signed out', html`<p>You are signed out of Galley.</p>`));
}

/** `renderError`: protocol errors shown to a person (bad client, expired interaction …). */
export async function renderError(
  ctx: KoaContextWithOIDC,
  out: { error?: string; error_description?: string },
  _error: unknown,
): Promise<void> {
  send(
    ctx,
    page(
      'Sign-in problem',
      html`${errorBlock(out.error_description ?? out.error ?? 'The request could not be completed.')}
<p class="muted">Error code: <code>${out.error ?? 'server_error'}</code>. Return to the application and try again.</p>`,
    ),
  );
}
