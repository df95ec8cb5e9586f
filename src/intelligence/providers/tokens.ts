/**
 * Token estimates for budgets and for the local model's usage figures. Remote providers report real usage; the
 * estimate is used to reserve budget before a call (then settled to the reported figure) and as the local
 * model's own count. It approximates BPE tokenizers (≈ 4 characters per token for English prose) and never
 * returns 0 for non-empty text.
 */

/** Estimated tokens in `text`. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Estimated tokens of a chat prompt: the messages plus a small per-message overhead. */
export function estimatePromptTokens(messages: readonly { readonly content: string }[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 2);
}
