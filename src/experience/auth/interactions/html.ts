/**
 * Galley's own HTML for the authorization server's pages (login, tenant choice and consent, device code entry,
 * logout, errors): one small layout, every dynamic value escaped. Pages carry no script; the CSP forbids it.
 */

/** Content-Security-Policy of the pages: inline styles only, no scripts, no framing. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/** Headers every page response carries (set on raw responses too, where Fastify's helmet does not reach). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** HTML that is already safe (built from escaped parts); `page` inserts it as is. */
export interface SafeHtml {
  readonly html: string;
}

/** Marks a fragment as safe; only for strings assembled from escapeHtml output and constants. */
export function safe(html: string): SafeHtml {
  return { html };
}

/** Template tag escaping every interpolation except SafeHtml values (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((p) => (isSafe(p) ? p.html : escapeHtml(p))).join('');
    out += strings[i + 1] ?? '';
  });
  return { html: out };
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && 'html' in value && typeof value.html === 'string';
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f4f2;color:#1d1d1b;margin:0}
main{max-width:26rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input,select{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.7rem;font-size:1rem;border:0;border-radius:4px;background:#1f4e8c;color:#fff;cursor:pointer}
button.secondary{background:#e4e4e0;color:#1d1d1b}.error{color:#a4161a;background:#fdecea;padding:.6rem;border-radius:4px}
.muted{color:#666;font-size:.9rem}.sso a{display:block;margin-top:.6rem;padding:.6rem;border:1px solid #1f4e8c;border-radius:4px;text-align:center;text-decoration:none;color:#1f4e8c}
code.user-code{font-size:1.6rem;letter-spacing:.15em}`;

/** A whole page around `body`. */
export function page(title: string, body: SafeHtml): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Galley</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body.html}
</main></body></html>`;
}

/** An error paragraph, or nothing. */
export function errorBlock(message: string | undefined): SafeHtml {
  return message === undefined ? safe('') : html`<p class="error" role="alert">${message}</p>`;
}
