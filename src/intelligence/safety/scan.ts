/**
 * The one safety scan shared by the live AI path (the gateway) and `galley safety scan`: injection,
 * jailbreak and extraction detection plus PII findings, so any outside suite run through the CLI measures
 * exactly what production does.
 */
import { detectInjection } from './injection.ts';
import { detectPii, type PiiFinding } from './pii.ts';

/** The verdict on one text. */
export interface SafetyVerdict {
  /** Prompt injection, including system-prompt extraction attempts. */
  readonly injection: boolean;
  readonly jailbreak: boolean;
  readonly pii: readonly PiiFinding[];
  /** The detector's 0…1 score; ≥ 0.5 exactly when `injection` or `jailbreak` is set. */
  readonly score: number;
}

/** Scans one untrusted text. */
export function scanText(text: string): SafetyVerdict {
  const v = detectInjection(text);
  return Object.freeze({
    injection: v.injection || v.extraction,
    jailbreak: v.jailbreak,
    pii: detectPii(text),
    score: v.score,
  });
}
