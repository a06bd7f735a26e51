import type * as GptTokenizer from 'gpt-tokenizer';

let loaded: typeof GptTokenizer | null = null;

/**
 * gpt-tokenizer, loaded on first use: its tables cost about 70 MB of memory, and most requests never need them
 * (upstreams report usage; llmp counts only when one does not, for count_tokens and for the mock provider).
 */
export function tokenizer(): typeof GptTokenizer {
  // A require at first use rather than an import, which would load the tables when the process starts.
  loaded ??= require('gpt-tokenizer') as typeof GptTokenizer;
  return loaded;
}
