/**
 * Fast upper estimate of the prompt tokens of a request body in any surface's shape (OpenAI chat and completions,
 * Anthropic messages, Gemini contents, Ollama), without tokenizing. Bytes alone are not a bound: English averages
 * 4-4.5 bytes per token but code, JSON, numbers and ids go down to 1.5-2.5, and those are dense in digits and
 * punctuation. So: UTF-8 bytes / 3 + 0.6 per ASCII punctuation + 0.5 per digit, which stayed at or above o200k and
 * cl100k counts on prose, this repository's code, JSON, number lists, hex and UUIDs (at most ~1.9x over). Random
 * base64 still goes under; images are not text (fixed cost). Settlement refunds the difference.
 */
export const BYTES_PER_TOKEN = 3;
export const TOKENS_PER_PUNCTUATION = 0.6;
export const TOKENS_PER_DIGIT = 0.5;
/** Role markers and separators per message (OpenAI counts 3-4). */
export const TOKENS_PER_MESSAGE = 5;
/** Above the largest single-image cost of the major providers (Anthropic caps near 1,600). */
export const TOKENS_PER_IMAGE = 1_700;
/** Reply priming and request framing. */
export const TOKENS_PER_REQUEST = 8;

/** Fields that steer the call but never reach the model as text. */
const NON_PROMPT_FIELDS = new Set([
  'model', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'n', 'temperature',
  'top_p', 'top_k', 'seed', 'user', 'logprobs', 'top_logprobs', 'logit_bias', 'presence_penalty', 'frequency_penalty',
  'metadata', 'store', 'parallel_tool_calls', 'service_tier', 'keep_alive', 'options', 'format', 'encoding_format',
  'dimensions', 'generationConfig', 'safetySettings', 'reasoning_effort', 'modalities',
]);
const IMAGE_TYPES = new Set(['image_url', 'image', 'input_image', 'inline_data', 'inlineData', 'file_data', 'fileData']);
const MESSAGE_LISTS = new Set(['messages', 'contents', 'input']);

function textTokens(s: string): number {
  let punct = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c < 128 && c !== 32 && !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122)) punct++;
  }
  // Buffer.byteLength is native and allocation-free.
  return Math.ceil(Buffer.byteLength(s, 'utf8') / BYTES_PER_TOKEN + punct * TOKENS_PER_PUNCTUATION + digits * TOKENS_PER_DIGIT);
}

function walk(node: unknown, depth: number): number {
  if (typeof node === 'string') return textTokens(node) + 1;
  if (typeof node === 'number' || typeof node === 'boolean') return 1;
  if (node === null || typeof node !== 'object' || depth > 64) return 0;
  if (Array.isArray(node)) {
    let t = 0;
    for (const item of node) t += walk(item, depth + 1);
    return t;
  }
  const obj = node as Record<string, unknown>;
  const type = obj.type;
  if (typeof type === 'string' && IMAGE_TYPES.has(type)) return TOKENS_PER_IMAGE;
  let t = 0;
  for (const [k, v] of Object.entries(obj)) {
    // Tool schemas reach the model with their property names, so keys count as text too.
    t += textTokens(k);
    if (IMAGE_TYPES.has(k) && typeof v === 'object' && v !== null) t += TOKENS_PER_IMAGE;
    // Ollama: `images` is a list of base64 strings.
    else if (k === 'images' && Array.isArray(v)) t += TOKENS_PER_IMAGE * v.length;
    else t += walk(v, depth + 1);
  }
  return t;
}

/** Upper estimate of the prompt tokens of a request body. */
export function estimatePromptTokens(body: Readonly<Record<string, unknown>>): number {
  let tokens = TOKENS_PER_REQUEST;
  for (const [k, v] of Object.entries(body)) {
    if (NON_PROMPT_FIELDS.has(k)) continue;
    if (MESSAGE_LISTS.has(k) && Array.isArray(v)) tokens += TOKENS_PER_MESSAGE * v.length;
    tokens += walk(v, 0);
  }
  return tokens;
}
