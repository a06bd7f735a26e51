import { Injectable } from '@nestjs/common';
import type { Endpoint } from '@llmp/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import { abortError } from '../../http/abort';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { AdapterOutcome, ProviderAdapter } from '../provider-adapter';
import { contentText, deltas, mockReply, mockVector } from './mock-content';
import { countTokens, truncateToTokens } from './mock-tokens';
import type { CallSignal } from '../../http/call-signal';

type Json = Record<string, unknown>;

const SUPPORTED: ReadonlySet<Endpoint> = new Set<Endpoint>(['chat', 'completions', 'embeddings']);
const DEFAULT_DIMS = 16;
const MAX_DIMS = 4096;
const MAX_N = 16;

/** A reply worked out once per request and rendered as JSON or as chunks. */
interface MockAnswer {
  id: string;
  created: number;
  model: string;
  text: string;
  finishReason: 'stop' | 'length';
  n: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/**
 * The built-in provider for demos and tests: deterministic answers from the last user message, real token counts,
 * no network. It honours max_tokens / max_completion_tokens, n, and stream_options.include_usage.
 */
@Injectable()
export class MockAdapter implements ProviderAdapter {
  readonly type = 'mock' as const;

  supports(endpoint: Endpoint): boolean {
    return SUPPORTED.has(endpoint);
  }

  async send(target: RouteTarget, call: UpstreamCall): Promise<AdapterOutcome> {
    if (call.signal.aborted) throw abortError(call.signal);
    const body = call.body;
    switch (call.endpoint) {
      case 'chat': {
        const answer = this.chatAnswer(target, call);
        return call.stream
          ? { kind: 'stream', status: 200, chunks: this.chatChunks(answer, includeUsage(body), call.signal) }
          : { kind: 'json', status: 200, body: chatCompletion(answer) };
      }
      case 'completions': {
        const answer = this.completionAnswer(target, call);
        return call.stream
          ? { kind: 'stream', status: 200, chunks: this.completionChunks(answer, includeUsage(body), call.signal) }
          : { kind: 'json', status: 200, body: textCompletion(answer) };
      }
      case 'embeddings':
        return { kind: 'json', status: 200, body: embeddings(target, body) };
      default:
        throw new LlmpError(ErrorCode.Unsupported, `the mock provider cannot serve ${call.endpoint}`);
    }
  }

  private chatAnswer(target: RouteTarget, call: UpstreamCall): MockAnswer {
    const messages = Array.isArray(call.body.messages) ? (call.body.messages as unknown[]) : [];
    // OpenAI's accounting: a few tokens of framing per message plus three to prime the reply.
    let promptTokens = 3;
    let lastUser = '';
    for (const m of messages) {
      if (!m || typeof m !== 'object') continue;
      const msg = m as Json;
      const text = contentText(msg.content);
      promptTokens += 4 + countTokens(text);
      if (msg.role === 'user') lastUser = text;
    }
    return this.answer(`chatcmpl-mock-${call.requestId}`, target, call.body, mockReply(lastUser, 'chat'), promptTokens);
  }

  private completionAnswer(target: RouteTarget, call: UpstreamCall): MockAnswer {
    const prompts = promptList(call.body.prompt);
    let promptTokens = 0;
    for (const p of prompts) promptTokens += typeof p === 'string' ? countTokens(p) : p.length;
    const last = prompts.length ? prompts[prompts.length - 1] : '';
    const reply = mockReply(typeof last === 'string' ? last : '', 'completion');
    return this.answer(`cmpl-mock-${call.requestId}`, target, call.body, reply, promptTokens);
  }

  private answer(id: string, target: RouteTarget, body: Readonly<Json>, reply: string, promptTokens: number): MockAnswer {
    const cap = firstNumber(body.max_completion_tokens, body.max_tokens);
    const { text, tokens, truncated } = truncateToTokens(reply, cap);
    const nRaw = firstNumber(body.n);
    const n = nRaw === undefined ? 1 : Math.min(MAX_N, Math.max(1, Math.floor(nRaw)));
    const completionTokens = tokens * n;
    return {
      id,
      created: Math.floor(Date.now() / 1000),
      model: target.model,
      text,
      finishReason: truncated ? 'length' : 'stop',
      n,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  private async *chatChunks(a: MockAnswer, withUsage: boolean, signal: CallSignal): AsyncGenerator<Json[]> {
    const pieces = deltas(a.text);
    const base = (choice: Json): Json => {
      const chunk: Json = { id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model, choices: [choice] };
      if (withUsage) chunk.usage = null;
      return chunk;
    };
    for (let index = 0; index < a.n; index++) {
      if (signal.aborted) throw abortError(signal);
      yield [base({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null })];
      for (const content of pieces) {
        if (signal.aborted) throw abortError(signal);
        yield [base({ index, delta: { content }, logprobs: null, finish_reason: null })];
      }
      yield [base({ index, delta: {}, logprobs: null, finish_reason: a.finishReason })];
    }
    if (withUsage) {
      yield [{ id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model, choices: [], usage: { ...a.usage } }];
    }
  }

  private async *completionChunks(a: MockAnswer, withUsage: boolean, signal: CallSignal): AsyncGenerator<Json[]> {
    const pieces = deltas(a.text);
    const base = (choice: Json): Json => {
      const chunk: Json = { id: a.id, object: 'text_completion', created: a.created, model: a.model, choices: [choice] };
      if (withUsage) chunk.usage = null;
      return chunk;
    };
    for (let index = 0; index < a.n; index++) {
      for (const text of pieces) {
        if (signal.aborted) throw abortError(signal);
        yield [base({ text, index, logprobs: null, finish_reason: null })];
      }
      yield [base({ text: '', index, logprobs: null, finish_reason: a.finishReason })];
    }
    if (withUsage) {
      yield [{ id: a.id, object: 'text_completion', created: a.created, model: a.model, choices: [], usage: { ...a.usage } }];
    }
  }
}

function chatCompletion(a: MockAnswer): Json {
  const choices: Json[] = [];
  for (let index = 0; index < a.n; index++) {
    choices.push({
      index,
      message: { role: 'assistant', content: a.text, refusal: null },
      logprobs: null,
      finish_reason: a.finishReason,
    });
  }
  return { id: a.id, object: 'chat.completion', created: a.created, model: a.model, choices, usage: a.usage };
}

function textCompletion(a: MockAnswer): Json {
  const choices: Json[] = [];
  for (let index = 0; index < a.n; index++) {
    choices.push({ text: a.text, index, logprobs: null, finish_reason: a.finishReason });
  }
  return { id: a.id, object: 'text_completion', created: a.created, model: a.model, choices, usage: a.usage };
}

function embeddings(target: RouteTarget, body: Readonly<Json>): Json {
  const inputs = promptList(body.input);
  const dimsRaw = firstNumber(body.dimensions);
  const dims = dimsRaw === undefined ? DEFAULT_DIMS : Math.min(MAX_DIMS, Math.max(1, Math.floor(dimsRaw)));
  const base64 = body.encoding_format === 'base64';
  let promptTokens = 0;
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : input.join(',');
    promptTokens += typeof input === 'string' ? countTokens(input) : input.length;
    const vector = mockVector(text, dims);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return { object: 'list', data, model: target.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}

/** OpenAI's `prompt` / `input`: a string, strings, a token array, or token arrays. */
function promptList(v: unknown): (string | number[])[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.length === 0) return [];
  if (typeof v[0] === 'number') return [v as number[]];
  return v.filter((x): x is string | number[] => typeof x === 'string' || Array.isArray(x));
}

function firstNumber(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

function includeUsage(body: Readonly<Json>): boolean {
  const opts = body.stream_options;
  return !!opts && typeof opts === 'object' && (opts as Json).include_usage === true;
}
