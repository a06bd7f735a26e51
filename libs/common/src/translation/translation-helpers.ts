import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../errors/error-code';
import { LlmpError } from '../errors/llmp.error';
import type { Json, OpenAiChatChunk, OpenAiChunkDelta, OpenAiFinishReason, OpenAiUsage } from './openai-chat.types';

export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function invalidField(message: string, param?: string): LlmpError {
  return new LlmpError(ErrorCode.InvalidRequest, message, { param });
}

/** A random id with a provider-style prefix (`msg_`, `call_`, `resp_` …). */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The text of an OpenAI message content (a string or an array of parts). */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) if (isObject(p) && typeof p.text === 'string') out += p.text;
  return out;
}

/** `data:image/png;base64,AAAA` → its media type and base64 payload; null for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1], data: m[2] } : null;
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** Parses tool-call arguments (a JSON string by the OpenAI contract) into the object other providers want. */
export function parseToolArguments(args: unknown, param: string): Json {
  if (isObject(args)) return args;
  if (args === undefined || args === null || args === '') return {};
  if (typeof args !== 'string') throw invalidField('tool call arguments must be a JSON string', param);
  try {
    const parsed: unknown = JSON.parse(args);
    if (isObject(parsed)) return parsed;
  } catch {
    // Reported below with the field name.
  }
  throw invalidField('tool call arguments must be a JSON object encoded as a string', param);
}

/** Stop sequences as a list, from OpenAI's string-or-array `stop`. */
export function stopList(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop as string[];
  throw invalidField('`stop` must be a string or an array of strings', 'stop');
}

export function usageOf(prompt: number, completion: number, cached?: number, reasoning?: number): OpenAiUsage {
  const usage: OpenAiUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cached) usage.prompt_tokens_details = { cached_tokens: cached };
  if (reasoning) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

/** Builds the OpenAI chunks of one stream, all sharing its id, model and creation time. */
export class ChunkFactory {
  readonly created = nowSeconds();

  constructor(
    public id: string,
    public model: string,
  ) {}

  delta(delta: OpenAiChunkDelta, finishReason: OpenAiFinishReason | null = null): OpenAiChatChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
  }

  /** The trailing usage chunk (no choices), as OpenAI sends it with `stream_options.include_usage`. */
  usage(usage: OpenAiUsage): OpenAiChatChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }
}

/** Non-negative integer usage numbers from a provider body, 0 when absent or malformed. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
