import { tokenizer } from '@llmp/common';

// Exact counts up to this many characters; beyond it ~4 characters per token keeps huge prompts cheap.
const EXACT_LIMIT_CHARS = 32_768;
// Client text may contain special-token strings like <|endoftext|>; they count as plain text, never throw.
const PLAIN = { disallowedSpecial: new Set<string>() };

/** Token count of text as the o200k tokenizer sees it (estimated past EXACT_LIMIT_CHARS). */
export function countTokens(text: string): number {
  if (!text.length) return 0;
  if (text.length <= EXACT_LIMIT_CHARS) return tokenizer().encode(text, PLAIN).length;
  return tokenizer().encode(text.slice(0, EXACT_LIMIT_CHARS), PLAIN).length + Math.ceil((text.length - EXACT_LIMIT_CHARS) / 4);
}

/** The text cut to at most `max` tokens, with its token count and whether it was cut. */
export function truncateToTokens(text: string, max: number | undefined): { text: string; tokens: number; truncated: boolean } {
  const tokens = tokenizer().encode(text, PLAIN);
  if (max === undefined || tokens.length <= max) return { text, tokens: tokens.length, truncated: false };
  const kept = Math.max(0, Math.floor(max));
  return { text: tokenizer().decode(tokens.slice(0, kept)), tokens: kept, truncated: true };
}
