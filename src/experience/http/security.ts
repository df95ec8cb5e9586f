/**
 * Security headers for a JSON API (helmet on every response, securityHeaders.ts). The CSP forbids everything: an
 * API response is never a document that loads resources or may be framed. HSTS pins HTTPS for a year including
 * subdomains (browsers ignore it on plain HTTP, so local development is unaffected). The editor's static assets,
 * when served by this process, set their own CSP on their replies.
 */
import type { HelmetOptions } from 'helmet';

/** Helmet options for API responses. */
export const API_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
};
