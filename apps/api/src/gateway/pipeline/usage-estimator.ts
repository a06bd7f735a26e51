import { tokenizer, type TokenUsage } from '@llmp/common';

function textOf(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (value && typeof value === 'object') {
    const part = value as Record<string, unknown>;
    if (typeof part.text === 'string') out.push(part.text);
    else if (typeof part.content === 'string' || Array.isArray(part.content)) textOf(part.content, out);
    if (Array.isArray(part.tool_calls)) out.push(JSON.stringify(part.tool_calls));
  }
}

/** Counts prompt tokens of an OpenAI body with the real tokenizer. Used only when the upstream reported nothing. */
export function countPromptTokens(body: Readonly<Record<string, unknown>>): number {
  const parts: string[] = [];
  textOf(body.messages ?? body.prompt ?? body.input, parts);
  const messages = Array.isArray(body.messages) ? body.messages.length : 0;
  // OpenAI's chat format adds about 3 tokens per message plus 3 to prime the reply.
  return tokenizer().encode(parts.join('\n')).length + (messages ? messages * 3 + 3 : 0);
}

export function countTokens(text: string): number {
  return text ? tokenizer().encode(text).length : 0;
}

/** Reads OpenAI `usage` from a response or final chunk; null if absent or malformed. */
export function usageFrom(body: Record<string, unknown> | undefined): TokenUsage | null {
  const u = body?.usage as Record<string, unknown> | undefined | null;
  if (!u || typeof u !== 'object') return null;
  const prompt = Number(u.prompt_tokens ?? u.input_tokens ?? 0);
  const completion = Number(u.completion_tokens ?? u.output_tokens ?? 0);
  if (!Number.isFinite(prompt) || !Number.isFinite(completion)) return null;
  const total = Number(u.total_tokens ?? prompt + completion);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: Number.isFinite(total) ? total : prompt + completion, estimated: false };
}
